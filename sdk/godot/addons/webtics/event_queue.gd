extends RefCounted
## The unsent events, oldest first, each with the play session it belongs
## to, and the closes of plays and sessions not yet sent. It lives in
## memory; the SDK writes it to the queue file after every change.
##
## [codeblock]
## queue.push(17, event)
## var batch := queue.next_batch(50) # {"play_session_id": 17, "events": [...]}
## queue.remove(batch["events"])
## [/codeblock]

## The highest sequence number a close may name.
const MAX_SEQUENCE := 2147483647

## Items {"play_session_id": int, "event": Dictionary}, oldest first.
var events: Array[Dictionary] = []
## Items {"kind": "play" or "session", "id": int, "last_sequence": int
## (plays only)}, oldest first.
var closes: Array[Dictionary] = []


## True when nothing waits to be sent.
func is_empty() -> bool:
	return events.is_empty() and closes.is_empty()


## Appends an event of a play session.
func push(play_session_id: int, event: Dictionary) -> void:
	events.append({"play_session_id": play_session_id, "event": event})


## Appends the close of a play ("play") or a session ("session").
func push_close(kind: String, id: int, last_sequence := -1) -> void:
	var close := {"kind": kind, "id": id}
	if kind == "play":
		close["last_sequence"] = clampi(last_sequence, 0, MAX_SEQUENCE)
	closes.append(close)


## Puts events of a queue that was set aside in front (they are older),
## and its closes behind this queue's. Events already queued (the same
## client_event_id, as after a crash between two writes) are left out.
## Returns how many events were added.
func prepend(items: Array[Dictionary], more_closes: Array[Dictionary]) -> int:
	var held := {}
	for queued in events:
		held[queued["event"]["client_event_id"]] = true
	var merged: Array[Dictionary] = []
	for queued in items:
		var id: String = queued["event"]["client_event_id"]
		if not held.has(id):
			held[id] = true
			merged.append(queued)

	var added := merged.size()
	merged.append_array(events)
	events = merged
	closes.append_array(more_closes)
	return added


## Forgets every event and close.
func clear() -> void:
	events.clear()
	closes.clear()


## The oldest events that share the first one's play session, up to `limit`.
func next_batch(limit: int) -> Dictionary:
	var play_id: int = events[0]["play_session_id"]
	var batch: Array[Dictionary] = []
	for queued in events:
		if queued["play_session_id"] != play_id or batch.size() >= limit:
			break
		batch.append(queued["event"])
	return {"play_session_id": play_id, "events": batch}


## Forgets these events (matched by client_event_id).
func remove(sent: Array[Dictionary]) -> void:
	var ids := {}
	for event in sent:
		ids[event["client_event_id"]] = true
	var kept := events.filter(func(queued): return not ids.has(queued["event"]["client_event_id"]))
	events.assign(kept)


## Forgets every event and the close of a play session; returns the events.
func remove_play(play_session_id: int) -> Array[Dictionary]:
	var removed: Array[Dictionary] = []
	var kept: Array[Dictionary] = []
	for queued in events:
		if queued["play_session_id"] == play_session_id:
			removed.append(queued["event"])
		else:
			kept.append(queued)
	events = kept
	closes.assign(closes.filter(func(close): return not _closes_play(close, play_session_id)))
	return removed


func _closes_play(close: Dictionary, play_session_id: int) -> bool:
	return close["kind"] == "play" and close["id"] == play_session_id
