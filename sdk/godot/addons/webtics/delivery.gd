extends RefCounted
## Sends what the queue holds, one request at a time and in order, and
## settles every answer by the table in docs/sdk-protocol.md: sent or
## refused events leave the queue; a 413, and a 400 that refuses a batch of
## several events whole, send the batch in halves; a single event is dropped
## as too large only on the server's own 413, and kept on a proxy's; a 404
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

## Fields a 400 may name that concern every event of a request alike: the
## header and the query. Halves of the batch would fare no better.
const REQUEST_FIELDS := ["x-client-sent-at", "play_session_id"]

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
	var options := {"sent_at": true, "expect": "batch_result"}
	# One event cannot be split: a proxy's 413 is retried with backoff like a
	# passing failure (RetryPolicy.is_foreign_too_large).
	if events.size() == 1:
		options["retry_foreign_413"] = true
	var answer := await api.request("POST", path, events, options)
	if ApiClient.succeeded(answer):
		_settle(play_id, events, answer["body"])
		return true

	var error := ApiClient.error_of(answer, path)
	match RetryPolicy.action_for(answer):
		"split":
			if events.size() > 1:
				return await _deliver_halves(play_id, events)
			# A proxy's size limit may be lower than the server's, or lifted
			# later: only the server's own 413 says the event never fits.
			if RetryPolicy.is_foreign_too_large(answer):
				_hold(error["retry_after_ms"])
				failed.emit(error)
				return false
			_refuse(play_id, events, {"rule": "too_large", "message": error["message"]})
		"gone":
			var dropped := _queue.remove_play(play_id)
			var reason := {"field": "play_session_id", "rule": "not_found"}
			_report(play_id, dropped, reason.merged({"message": error["message"]}))
			play_gone.emit(play_id)
		"refuse":
			if events.size() > 1 and _may_be_one_event(answer, error):
				return await _deliver_halves(play_id, events)
			_refuse(play_id, events, _reason_within(events, error))
		"pause":
			pause_error = error
			failed.emit(error)
			return false
		_:
			_hold(error["retry_after_ms"])
			failed.emit(error)
			return false
	return true


# A 400 refuses the whole request for what one event holds (a NUL in its
# data, say) before any event is judged: the halves go separately, until
# the culprit is alone and only it is dropped. A batch of 50 with one bad
# event costs about a dozen requests.
func _may_be_one_event(answer: Dictionary, error: Dictionary) -> bool:
	var field := str(error.get("field", "")).to_lower()
	return answer["status"] == 400 and not (field in REQUEST_FIELDS)


# A batch of one refused whole names the path from the body, "[0].data.note";
# reported within the event, as a batch result's `rejected` names it, that
# is "data.note".
func _reason_within(events: Array[Dictionary], error: Dictionary) -> Dictionary:
	var field := str(error.get("field", ""))
	if events.size() != 1 or not field.begins_with("[0]"):
		return error
	var reason := error.duplicate()
	reason["field"] = field.trim_prefix("[0]").trim_prefix(".")
	return reason


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


# A batch result (ApiClient.is_batch_result): every event is settled; the
# answer lists those refused for good.
func _settle(play_id: int, events: Array[Dictionary], body: Dictionary) -> void:
	var listed: Array = body["rejected"]
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
# is gone, or another lasting 4xx, its own 413 included) is dropped and
# reported. A close is never too large: a proxy's 413 is a passing failure
# that keeps it queued.
func _deliver_close(close: Dictionary) -> bool:
	var path := "/api/v1/sessions/%d/close" % close["id"]
	var body := {}
	if close["kind"] == "play":
		path = "/api/v1/play-sessions/%d/close" % close["id"]
		body = {"last_sequence": close["last_sequence"]}
	var answer := await api.request("POST", path, body, {"retry_foreign_413": true})
	if ApiClient.succeeded(answer):
		_drop_close()
		return true

	var error := ApiClient.error_of(answer, path)
	failed.emit(error)
	if RetryPolicy.is_foreign_too_large(answer):
		_hold(error["retry_after_ms"])
		return false
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
