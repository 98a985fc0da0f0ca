extends RefCounted
## Reads back what a queue file holds, trusting nothing: every id, type and
## sequence number must be an integer in its range, so that a damaged file
## cannot put a NaN, a fraction or text into a sequence number or an id.
## What fails is left out and counted; what is left is the state the SDK
## restores, with JSON's floats turned back into integers.
##
## [codeblock]
## var state := StoredRecords.read_state(JSON.parse_string(text))
## if state["dropped"] > 0 or state["repaired"]: report_damage()
## [/codeblock]

## The highest sequence number an event may carry.
const MAX_SEQUENCE := 2147483647
## The highest id the server gives out: 2^53 − 1.
const MAX_ID := 9007199254740991
## The highest monotonic_ms the server takes: 10^12.
const MAX_MONOTONIC_MS := 1e12


## The state in `raw`, each part checked on its own, as {"owner",
## "session_id", "play_session_id", "next_sequence", "monotonic_ms_at_save",
## "unix_at_save", "events", "closes", "dropped", "repaired"}. "dropped"
## counts events left out as damaged; "repaired" is true when anything
## else was (a close, a session or play that cannot be continued, the
## owner). A damaged play is not continued, but its events are still sent.
## unix_at_save is -1.0 when unknown.
static func read_state(raw: Dictionary) -> Dictionary:
	var state := _read_sessions(raw)
	var read_events := _read_events(raw.get("events", []))
	var read_closes := _read_closes(raw.get("closes", []))
	var events: Array[Dictionary] = read_events["events"]
	var dropped: int = read_events["dropped"]
	if state["play_session_id"] != 0:
		dropped += _continue_play(state, events, dropped)

	state["events"] = events
	state["closes"] = read_closes["closes"]
	state["dropped"] = dropped
	# Events that are no list at all are lost whole, and uncounted.
	var events_lost := not (raw.get("events", []) is Array)
	state["repaired"] = state["repaired"] or read_closes["repaired"] or events_lost
	return state


## True when `value` is an integer (JSON gives one as a float) from `low`
## to `high`.
static func is_integer(value: Variant, low: int, high: int) -> bool:
	if value is float:
		if is_nan(value) or is_inf(value) or value != floorf(value):
			return false
	elif not (value is int):
		return false
	return value >= low and value <= high


## Where a restored play's numbering goes on, and which of its queued
## events carry numbers that are damage. The state is saved in one file
## with the events, so `stored_next` is normally past every queued number;
## only a damaged file holds more. A run of numbers from `stored_next`,
## one per queued event or per event `dropped` as unreadable, may still be
## real; a number beyond that run is damage that would put every later
## number wrong, and its event is answered in "beyond" (indexes into
## `events`). After any drop the play goes on past the whole run, so that a
## lost event's number is never given to another: the loss shows as a gap.
##
## [codeblock]
## var play := StoredRecords.continue_play(17, 5, events, 0) # {"next": 5, "beyond": {}}
## [/codeblock]
static func continue_play(
	play_id: int, stored_next: int, events: Array[Dictionary], dropped: int
) -> Dictionary:
	var later: Array[int] = []
	var numbers := {}
	for index in events.size():
		var sequence: int = events[index]["event"]["sequence"]
		if events[index]["play_session_id"] == play_id and sequence >= stored_next:
			later.append(index)
			numbers[sequence] = true
	var highest := stored_next - 1 + numbers.size() + dropped

	var beyond := {}
	var next := stored_next
	for index in later:
		var sequence: int = events[index]["event"]["sequence"]
		if sequence > highest:
			beyond[index] = true
		else:
			next = maxi(next, sequence + 1)
	if dropped > 0 or not beyond.is_empty():
		next = maxi(next, highest + 1)
	return {"next": next, "beyond": beyond}


# The open session and play. A play whose numbering cannot be read is not
# continued: a guess could give one number to two events.
static func _read_sessions(raw: Dictionary) -> Dictionary:
	var session: Variant = raw.get("session_id", 0)
	var play: Variant = raw.get("play_session_id", 0)
	var next: Variant = raw.get("next_sequence", 1)
	var good_session := is_integer(session, 0, MAX_ID)
	var good_play := is_integer(play, 0, MAX_ID) and is_integer(next, 1, MAX_SEQUENCE + 1)
	var no_play := is_integer(play, 0, 0)
	var owner: Variant = raw.get("owner", "")
	var monotonic: Variant = raw.get("monotonic_ms_at_save", 0.0)
	var unix: Variant = raw.get("unix_at_save", -1.0)
	return {
		"owner": owner if owner is String else "",
		"session_id": int(session) if good_session else 0,
		"play_session_id": int(play) if good_play else 0,
		"next_sequence": int(next) if good_play else 1,
		"monotonic_ms_at_save": float(monotonic) if _is_time(monotonic, MAX_MONOTONIC_MS) else 0.0,
		"unix_at_save": float(unix) if _is_time(unix, 1e11) else -1.0,
		"repaired": not (owner is String) or not good_session or not (good_play or no_play),
	}


static func _read_events(raw: Variant) -> Dictionary:
	var events: Array[Dictionary] = []
	var listed: Array = raw if raw is Array else []
	for item in listed:
		var queued := _queued_event(item)
		if not queued.is_empty():
			events.append(queued)
	return {"events": events, "dropped": listed.size() - events.size()}


# {"play_session_id", "event"} with the integers the wire needs as ints, or
# {} when the record is damaged.
static func _queued_event(item: Variant) -> Dictionary:
	if not (item is Dictionary and item.get("event") is Dictionary):
		return {}
	var event: Dictionary = item["event"]
	var well_formed := (
		is_integer(item.get("play_session_id"), 1, MAX_ID)
		and event.get("client_event_id") is String
		and is_integer(event.get("event_type"), 0, 999)
		and is_integer(event.get("sequence"), 1, MAX_SEQUENCE)
		and event.get("timestamp") is String
		and _is_time(event.get("monotonic_ms"), MAX_MONOTONIC_MS)
	)
	if not well_formed:
		return {}

	var copy := event.duplicate(true)
	for key in ["event_type", "sequence", "event_subtype"]:
		if copy.get(key) is float and is_integer(copy[key], -MAX_ID, MAX_ID):
			copy[key] = int(copy[key])
	return {"play_session_id": int(item["play_session_id"]), "event": copy}


static func _read_closes(raw: Variant) -> Dictionary:
	var closes: Array[Dictionary] = []
	var listed: Array = raw if raw is Array else []
	for item in listed:
		var close := _close(item)
		if not close.is_empty():
			closes.append(close)
	return {"closes": closes, "repaired": not (raw is Array) or closes.size() != listed.size()}


static func _close(item: Variant) -> Dictionary:
	if not (item is Dictionary and is_integer(item.get("id"), 1, MAX_ID)):
		return {}
	var kind: Variant = item.get("kind")
	if not (kind is String):
		return {}
	if kind == "session":
		return {"kind": "session", "id": int(item["id"])}
	if kind == "play" and is_integer(item.get("last_sequence"), 0, MAX_SEQUENCE):
		return {"kind": "play", "id": int(item["id"]), "last_sequence": int(item["last_sequence"])}
	return {}


# Drops the play's events whose numbers are damage (see continue_play) and
# sets where its numbering goes on. Answers how many it dropped.
static func _continue_play(state: Dictionary, events: Array[Dictionary], dropped: int) -> int:
	var play := continue_play(state["play_session_id"], state["next_sequence"], events, dropped)
	state["next_sequence"] = play["next"]
	var beyond: Dictionary = play["beyond"]
	if beyond.is_empty():
		return 0

	var kept: Array[Dictionary] = []
	for index in events.size():
		if not beyond.has(index):
			kept.append(events[index])
	events.assign(kept)
	return beyond.size()


# A finite number from 0 to `high`.
static func _is_time(value: Variant, high: float) -> bool:
	if not (value is int or value is float):
		return false
	return not is_nan(float(value)) and value >= 0 and value <= high
