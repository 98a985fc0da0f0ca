extends RefCounted
## Sends what the queue holds, one request at a time and in order, and
## settles every answer by the table in docs/sdk-protocol.md: sent or
## refused events leave the queue; a 413 sends the batch in halves; a 404
## drops the play session's events; a 401 or 403 pauses sending; a failure
## that a retry may fix keeps the events for a later flush.
##
## [codeblock]
## var delivery := Delivery.new(api, queue)
## var all_sent := await delivery.drain(50)
## [/codeblock]

## The server took `count` events (stored, or recognised as resends).
signal delivered(count: int)
## Events that will never be sent; see the rejected_events signal of the SDK.
signal rejected(rejections: Array)
## A request failed; the error Dictionary of ApiClient.error_of().
signal failed(error: Dictionary)
## The queue changed and should be saved.
signal changed
## The server no longer has this play session; its events were dropped.
signal play_gone(play_session_id: int)

const ApiClient := preload("api_client.gd")
const RetryPolicy := preload("retry_policy.gd")
const EventQueue := preload("event_queue.gd")

var api: ApiClient
## The 401 or 403 that stopped sending, or empty while sending may go on.
var pause_error := {}

var _queue: EventQueue
# Nothing is sent before this time (ticks in ms): the server's Retry-After.
var _hold_until_msec := 0


func _init(client: ApiClient, queue: EventQueue) -> void:
	api = client
	_queue = queue


## Sends every queued event, then every queued close. Returns true when
## nothing is left; false when sending stopped (attempts used up, a pause,
## a Retry-After still running), with the rest kept in the queue.
func drain(batch_size: int) -> bool:
	while pause_error.is_empty() and hold_ms() == 0:
		if not _queue.events.is_empty():
			if not await _deliver(_queue.next_batch(batch_size)):
				return false
		elif not _queue.closes.is_empty():
			if not await _deliver_close(_queue.closes[0]):
				return false
		else:
			return true
	return false


## How long the server asked us to wait before sending again, in ms (0: no wait).
func hold_ms() -> int:
	return maxi(0, _hold_until_msec - Time.get_ticks_msec())


func _deliver(batch: Dictionary) -> bool:
	var events: Array[Dictionary] = batch["events"]
	var play_id: int = batch["play_session_id"]
	var path := "/api/v1/events/batch?play_session_id=%d" % play_id
	var answer := await api.request("POST", path, events, {"sent_at": true})
	if ApiClient.succeeded(answer):
		_settle(play_id, events, answer["body"])
		return true

	var error := ApiClient.error_of(answer, path)
	match RetryPolicy.action_for(answer):
		"split":
			if events.size() > 1:
				return await _deliver_halves(play_id, events)
			_refuse(play_id, events, {"rule": "too_large", "message": error["message"]})
		"gone":
			var dropped := _queue.remove_play(play_id)
			var reason := {"field": "play_session_id", "rule": "not_found"}
			_report(play_id, dropped, reason.merged({"message": error["message"]}))
			play_gone.emit(play_id)
		"refuse":
			_refuse(play_id, events, error)
		"pause":
			pause_error = error
			failed.emit(error)
			return false
		_:
			_hold(error["retry_after_ms"])
			failed.emit(error)
			return false
	return true


func _deliver_halves(play_id: int, events: Array[Dictionary]) -> bool:
	var middle := ceili(events.size() / 2.0)
	var first := {"play_session_id": play_id, "events": _part(events, 0, middle)}
	if not await _deliver(first):
		return false
	var second := {"play_session_id": play_id, "events": _part(events, middle, events.size())}
	return await _deliver(second)


func _part(events: Array[Dictionary], from: int, to: int) -> Array[Dictionary]:
	var part: Array[Dictionary] = []
	part.assign(events.slice(from, to))
	return part


# A 2xx: every event is settled; the answer lists those refused for good.
func _settle(play_id: int, events: Array[Dictionary], body: Variant) -> void:
	var listed: Array = body.get("rejected", []) if body is Dictionary else []
	var rejections: Array[Dictionary] = []
	for item in listed:
		var index := int(item.get("index", -1)) if item is Dictionary else -1
		if index >= 0 and index < events.size():
			rejections.append(_rejection(play_id, events[index], item))

	_queue.remove(events)
	changed.emit()
	if events.size() > rejections.size():
		delivered.emit(events.size() - rejections.size())
	if not rejections.is_empty():
		rejected.emit(rejections)


func _refuse(play_id: int, events: Array[Dictionary], reason: Dictionary) -> void:
	_queue.remove(events)
	_report(play_id, events, reason)


func _report(play_id: int, events: Array[Dictionary], reason: Dictionary) -> void:
	changed.emit()
	var rejections: Array[Dictionary] = []
	for event in events:
		rejections.append(_rejection(play_id, event, reason))
	if not rejections.is_empty():
		rejected.emit(rejections)


func _rejection(play_id: int, event: Dictionary, reason: Dictionary) -> Dictionary:
	return {
		"event": event,
		"play_session_id": play_id,
		"field": str(reason.get("field", "")),
		"rule": str(reason.get("rule", reason.get("code", ""))),
		"message": str(reason.get("message", "")),
	}


# Sends the oldest queued close. One the server cannot act on (its session
# is gone, or another lasting 4xx) is dropped and reported.
func _deliver_close(close: Dictionary) -> bool:
	var path := "/api/v1/sessions/%d/close" % close["id"]
	var body := {}
	if close["kind"] == "play":
		path = "/api/v1/play-sessions/%d/close" % close["id"]
		body = {"last_sequence": close["last_sequence"]}
	var answer := await api.request("POST", path, body)
	if ApiClient.succeeded(answer):
		_drop_close()
		return true

	var error := ApiClient.error_of(answer, path)
	failed.emit(error)
	match RetryPolicy.action_for(answer):
		"pause":
			pause_error = error
			return false
		"retry":
			_hold(error["retry_after_ms"])
			return false
	_drop_close()
	return true


func _drop_close() -> void:
	_queue.closes.pop_front()
	changed.emit()


func _hold(retry_after_ms: float) -> void:
	if retry_after_ms > 0.0:
		_hold_until_msec = Time.get_ticks_msec() + int(retry_after_ms)
