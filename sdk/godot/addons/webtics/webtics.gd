extends Node
## The WebTics SDK, added as the autoload `WebTics` by the addon. It opens
## sessions and plays, stamps every event with an id, a sequence number, a
## monotonic time and a timestamp, keeps unsent events in a file under
## user://, and sends them in batches with retries.
##
## [codeblock]
## WebTics.configure("http://127.0.0.1:8013", ingest_key)
## await WebTics.start_session("player-4f2a9c", "1.4.0")
## await WebTics.start_play()
## WebTics.log_event(WebTicsEvents.CORRECT_RESPONSE, {"magnitude": 412.5})
## await WebTics.end_session()
## [/codeblock]

## A metric session was opened on the server.
signal session_opened(session_id: int)
## A play session was opened on the server; events now go to it.
signal play_started(play_session_id: int)
## The server took `count` events (stored, or recognised as resends).
signal events_sent(count: int)
## Events the server will never take. Each item is {"event",
## "play_session_id", "field", "rule", "message"}: refused by the server
## (its rule), of a play session the server no longer has ("not_found"), or
## alone too large for the server, by its own 413 ("too_large"; a proxy's
## 413 keeps the event queued). They are not sent again.
signal events_rejected(rejections: Array)
## Events dropped before sending because max_stored_events were already
## waiting. Each item is {"event", "play_session_id", "reason": "queue_full"}.
signal events_dropped(dropped: Array)
## A request failed: {"path", "status", "code", "message", "field", "rule",
## "retryable", "retry_after_ms", "request_id" (of the body or the
## X-Request-Id header; "" when the answer has neither)}. Events stay queued unless
## events_rejected says otherwise. Trouble with the queue file comes the
## same way, with status 0 and the file as "path": "queue_not_saved",
## "storage_corrupt" (parts could not be read and were left out),
## "queue_set_aside" (the queue of another server or key was moved to a
## file of its own) and "storage_failed".
signal request_failed(error: Dictionary)
## Emitted by every flush when it ends, with whether everything was sent.
signal flush_finished(sent_everything: bool)

const EventFields := preload("event_fields.gd")
const EventData := preload("event_data.gd")
const StoredRecords := preload("stored_records.gd")
const QueueAside := preload("queue_aside.gd")
const WireValues := preload("wire_values.gd")
const QueueStore := preload("queue_store.gd")
const EventQueue := preload("event_queue.gd")
const HttpTransport := preload("http_transport.gd")
const RetryPolicy := preload("retry_policy.gd")
const ApiClient := preload("api_client.gd")
const Delivery := preload("delivery.gd")

const DEFAULT_OPTIONS := {
	"batch_size": 50,
	"flush_interval_ms": 5000,
	"max_attempts": 5,
	"base_delay_ms": 500,
	"max_delay_ms": 15000,
	"max_retry_after_ms": 60000,
	"request_timeout_ms": 30000,
	"close_timeout_ms": 3000,
	"max_stored_events": 10000,
	"queue_path": "user://webtics/queue.json",
	"handle_quit": true,
}
const MAX_BATCH := 1000

## Put a scripted transport here before configure() to test without a
## server (the fixture runner does); configure() makes an HttpTransport.
var transport: Object = null
## For tests: how far this device's wall clock runs ahead, in ms, added to
## every timestamp and X-Client-Sent-At. Set it before configure(). The
## fixture runner takes it from a fixture's clock_offset_ms; a game leaves 0.
var wall_clock_offset_ms := 0.0
## When true (the default), log_event() refuses misuse at once (see
## EventFields). The fixture runner turns it off, as the web SDK has no
## such check at run time, so that an invalid event reaches the server and
## its refusal can be played (permanent-rejection.json). A game should
## leave it on. What could never be sent (see EventData) is refused either
## way, as the web SDK does.
var check_events := true

var _options := {}
var _api: ApiClient = null
var _store: QueueStore = null
var _queue := EventQueue.new()
var _delivery: Delivery = null
var _timer: Timer
var _session_id := 0
var _play_session_id := 0
var _last_play_session_id := 0
var _next_sequence := 1
var _play_origin_usec := 0
var _resumed := false
var _flushing := false
var _save_queued := false
var _quitting := false
var _holds_quit := false
# The fingerprint of the server and key the queue is for (QueueStore.owner_of).
var _owner := ""
# Set when the queue file held another owner's queue that could not be set
# aside: nothing is written to the file in this run, so that queue stays.
var _detached := false


func _init() -> void:
	# Sending goes on while the game is paused (a pause menu, a dialog).
	process_mode = Node.PROCESS_MODE_ALWAYS
	_timer = Timer.new()
	_timer.one_shot = true
	_timer.timeout.connect(_flush_in_background)
	add_child(_timer)


func _notification(what: int) -> void:
	if what == NOTIFICATION_WM_CLOSE_REQUEST and _holds_quit:
		_quit_after_flush()
	elif what == NOTIFICATION_APPLICATION_PAUSED or what == NOTIFICATION_APPLICATION_FOCUS_OUT:
		# A phone may end a paused app without warning.
		_save_now()


func _exit_tree() -> void:
	_save_now()


## Sets the server, the ingest key and options (see DEFAULT_OPTIONS and the
## README), then resumes what an earlier run left in the queue file for
## this server and key, and takes back a queue set aside for them. A queue
## of another server or key is set aside for its own (request_failed says
## "queue_set_aside"), whether found in the file or queued in this run
## under an earlier configure(). Returns false for a URL without http(s)://,
## an empty key, or a queue of the earlier key that could not be set aside
## (the earlier configuration then stays). To go on with a new key after a
## 401 or 403, for the same study, use resume_sending(new_key).
##
## [codeblock]
## WebTics.configure("http://127.0.0.1:8013", key, {"batch_size": 100})
## [/codeblock]
func configure(url: String, api_key: String, options := {}) -> bool:
	if not (url.begins_with("http://") or url.begins_with("https://")):
		push_error("WebTics: the URL must start with http:// or https://, not '%s'" % url)
		return false
	var key := api_key.strip_edges()
	if key.is_empty():
		push_error("WebTics: an ingest key is required")
		return false
	var queue_owner := QueueStore.owner_of(url.rstrip("/"), key)
	if _delivery != null and queue_owner != _owner and not _set_aside_queued():
		push_error("WebTics: the queue of the earlier key could not be set aside; kept that key")
		return false

	_options = _merged_options(options)
	var policy := RetryPolicy.new(_options)
	_api = ApiClient.new(self, url, key, _transport(), policy)
	_api.clock_offset_ms = wall_clock_offset_ms
	if _delivery == null:
		_start_delivery(queue_owner)
	_delivery.api = _api
	_delivery.pause_error = {}
	_own_queue(queue_owner)
	_take_quit(_handles_quit())

	_schedule_flush()
	return true


## Opens a metric session (one run by one player) and returns its id, or 0
## when it could not be opened (request_failed says why). A session left
## open by an earlier run of the game is closed first.
##
## [codeblock]
## var session_id := await WebTics.start_session("player-4f2a9c", "1.4.0")
## [/codeblock]
func start_session(unique_id: String, build_number: String) -> int:
	if not _is_configured():
		return 0
	if _session_id != 0 and not _resumed:
		push_error("WebTics: a session is already open; end it first")
		return 0
	_queue_closes()

	var body := {"unique_id": unique_id, "build_number": build_number}
	var answer := await _api.request("POST", "/api/v1/sessions", body, {"expect": "created"})
	if not _accepted(answer, "/api/v1/sessions"):
		return 0

	_session_id = int(answer["body"]["id"])
	_save_soon()
	session_opened.emit(_session_id)
	return _session_id


## Opens a play session (one attempt) in the open session and returns its
## id, or 0. Sequence numbers and monotonic time start again from here.
##
## [codeblock]
## await WebTics.start_play()
## [/codeblock]
func start_play() -> int:
	if not _is_configured():
		return 0
	if _session_id == 0:
		push_error("WebTics: start a session before a play")
		return 0
	if _play_session_id != 0 and not _resumed:
		push_error("WebTics: a play is already open; close it first")
		return 0
	_queue_play_close()

	var origin := Time.get_ticks_usec()
	var body := {"metric_session_id": _session_id}
	var path := "/api/v1/play-sessions"
	var answer := await _api.request("POST", path, body, {"expect": "created"})
	if not _accepted(answer, path):
		return 0

	_begin_play(int(answer["body"]["id"]), origin)
	play_started.emit(_play_session_id)
	return _play_session_id


## Stamps an event for the open play, queues it and returns its client
## event id; "" when it was refused, which push_error reports, before it
## used a sequence number. Refused is misuse (no play open, a type outside
## 0–999, an unknown field, a missing or out-of-range magnitude for types
## 102–105) and what could never be sent (see EventData: a NAN or INF, an
## integer beyond ±(2^53 − 1), and in `data` a NUL, a lone surrogate or a
## control character Godot cannot write as JSON, a __proto__ key, nesting
## deeper than 32, more than 10 240 bytes of JSON, a value JSON cannot
## hold). Fields: "subtype" (int), "x", "y", "z", "magnitude", "data"
## (Dictionary, copied when logged), and "ticks_usec": when it happened,
## from Time.get_ticks_usec(), if earlier than now. When max_stored_events
## already wait, the event is dropped and passed to events_dropped.
##
## [codeblock]
## WebTics.log_event(WebTicsEvents.TRIAL_START, {"x": 120, "y": 340, "data": {"trial": 3}})
## [/codeblock]
func log_event(event_type: int, fields := {}) -> String:
	var problem := _misuse(event_type, fields)
	if not problem.is_empty():
		push_error("WebTics: event refused: " + problem)
		return ""

	var happened_usec := Time.get_ticks_usec()
	if fields.get("ticks_usec") is int:
		happened_usec = fields["ticks_usec"]
	var event := _stamped(EventFields.to_wire(event_type, fields), happened_usec)
	if _queue.events.size() >= int(_options["max_stored_events"]):
		_drop_for_full_queue(event)
		return event["client_event_id"]

	_queue.push(_play_session_id, event)
	_save_soon()
	if _queue.events.size() >= int(_options["batch_size"]):
		_flush_in_background()
	else:
		_schedule_flush()
	return event["client_event_id"]


## Sends every queued event and queued close, one request at a time, and
## returns true when nothing is left. Only one flush runs at a time: a call
## made while one runs waits for it and returns its result.
##
## [codeblock]
## var all_sent := await WebTics.flush()
## [/codeblock]
func flush() -> bool:
	if _flushing:
		return await flush_finished
	if not _is_configured():
		return false

	_flushing = true
	_timer.stop()
	var sent_everything := await _delivery.drain(int(_options["batch_size"]))
	_flushing = false
	_save_now()
	_schedule_flush()
	flush_finished.emit(sent_everything)
	return sent_everything


## Closes the open play, telling the server the last sequence number given
## out, and sends what is queued. The close is queued and saved like the
## events, so it is sent later if the server cannot be reached now.
##
## [codeblock]
## await WebTics.close_play()
## [/codeblock]
func close_play() -> bool:
	if not _is_configured():
		return false
	_queue_play_close()
	return await flush()


## Closes the open play and the session, and sends everything queued.
##
## [codeblock]
## var all_sent := await WebTics.end_session()
## [/codeblock]
func end_session() -> bool:
	if not _is_configured():
		return false
	_queue_closes()
	return await flush()


## Records a participant's consent and returns {"ok", "status", "body"};
## the body holds the participant_id (use it as unique_id) and the
## withdrawal code, which the server shows this once. Retried only after 429
## and 503, which promise the server did nothing: a retry after a lost
## answer would make a second consent whose code nobody holds.
##
## [codeblock]
## var reply := await WebTics.consent({"consent_version": "v2.1", "age_range": "13-15"})
## [/codeblock]
func consent(fields: Dictionary) -> Dictionary:
	if not _is_configured():
		return {"ok": false, "status": 0, "body": null}
	var path := "/api/v1/research/consent"
	var answer := await _api.request("POST", path, fields, {"retry_only": [429, 503]})
	return _outcome(answer, path)


## Withdraws a participant with their withdrawal code: the server erases
## all their data and returns a signed receipt in "body". Sent without the
## key. A 409 means an earlier attempt already withdrew them.
##
## [codeblock]
## var reply := await WebTics.withdraw(code_typed_by_participant)
## [/codeblock]
func withdraw(code: String) -> Dictionary:
	if not _is_configured():
		return {"ok": false, "status": 0, "body": null}
	var path := "/api/v1/research/withdraw"
	return _outcome(await _api.request("POST", path, {"code": code}, {"key": false}), path)


## Downloads everything the server holds about a participant, with their
## withdrawal code: "body" holds "consent", "sessions", "play_sessions" and
## "events". The code goes in the body, never in the URL, and the request
## is sent without the key. A 404 means no participant has that code.
##
## [codeblock]
## var reply := await WebTics.my_data(code_typed_by_participant)
## if reply["ok"]: show_events(reply["body"]["events"])
## [/codeblock]
func my_data(code: String) -> Dictionary:
	if not _is_configured():
		return {"ok": false, "status": 0, "body": null}
	var path := "/api/v1/research/my-data"
	return _outcome(await _api.request("POST", path, {"code": code}, {"key": false}), path)


## Asks the server which events of a play session it has: received,
## duplicates, rejected and missing sequence ranges. The last play session
## by default. Returns {"ok", "status", "body"}.
##
## [codeblock]
## var report := await WebTics.completeness()
## if report["ok"] and not report["body"]["complete"]: ...
## [/codeblock]
func completeness(play_id := 0) -> Dictionary:
	var id := play_id if play_id > 0 else _last_play_session_id
	if id == 0:
		push_error("WebTics: completeness() needs a play session id; none was started")
	if not _is_configured() or id == 0:
		return {"ok": false, "status": 0, "body": null}
	var path := "/api/v1/play-sessions/%d/completeness" % id
	return _outcome(await _api.request("GET", path), path)


## Sends what it can within `timeout_ms` (close_timeout_ms by default) and
## saves the queue; true when nothing is left. Call it before quitting when
## handle_quit is false, or before your own get_tree().quit().
##
## [codeblock]
## await WebTics.shutdown()
## get_tree().quit()
## [/codeblock]
func shutdown(timeout_ms := -1) -> bool:
	var budget: int = timeout_ms if timeout_ms >= 0 else int(_options.get("close_timeout_ms", 0))
	var deadline := Time.get_ticks_msec() + budget
	if _api != null:
		flush()
	while _flushing and Time.get_ticks_msec() < deadline:
		await get_tree().process_frame
	_save_now()
	return _queue.is_empty()


## Sends again after a 401 or 403 paused sending, with a new ingest key
## when one is given. The queue then goes with that key, and a restart
## configured with it carries on with the queue: use it for a key of the
## same study (configure() with another key sets the queue aside instead).
##
## [codeblock]
## WebTics.resume_sending(new_key)
## [/codeblock]
func resume_sending(api_key := "") -> void:
	var key := api_key.strip_edges()
	if _api != null and not key.is_empty():
		_api.api_key = key
		_own_queue(QueueStore.owner_of(_api.base_url, key))
	if _delivery != null:
		_delivery.pause_error = {}
	_schedule_flush()


## The open metric session's id, or 0.
func session_id() -> int:
	return _session_id


## The open play session's id, or 0.
func play_session_id() -> int:
	return _play_session_id


## How many events wait to be sent.
func pending_events() -> int:
	return _queue.events.size()


## Why sending is paused (the 401 or 403 error), or an empty Dictionary.
func paused_error() -> Dictionary:
	return _delivery.pause_error if _delivery != null else {}


# --- configuration ----------------------------------------------------------


func _merged_options(options: Dictionary) -> Dictionary:
	var merged := DEFAULT_OPTIONS.duplicate()
	for key in options:
		if DEFAULT_OPTIONS.has(key):
			merged[key] = options[key]
		else:
			push_warning("WebTics: unknown option '%s' ignored" % key)
	merged["batch_size"] = clampi(int(merged["batch_size"]), 1, MAX_BATCH)
	merged["max_stored_events"] = maxi(1, int(merged["max_stored_events"]))
	return merged


func _transport() -> Object:
	if transport == null:
		transport = HttpTransport.new(self, float(_options["request_timeout_ms"]) / 1000.0)
	return transport


# The first configure() reads the queue file; later ones keep what is in
# memory, which is newer.
func _start_delivery(queue_owner: String) -> void:
	_store = QueueStore.new(_options["queue_path"])
	_load_queue(_store.load_state(), queue_owner)
	_delivery = Delivery.new(_api, _queue)
	_delivery.delivered.connect(func(count: int): events_sent.emit(count))
	_delivery.rejected.connect(func(rejections: Array): events_rejected.emit(rejections))
	_delivery.failed.connect(func(error: Dictionary): request_failed.emit(error))
	_delivery.changed.connect(_save_soon)
	_delivery.play_gone.connect(_forget_play)


func _is_configured() -> bool:
	if _api == null:
		push_error("WebTics: call configure(url, api_key) first")
	return _api != null


func _handles_quit() -> bool:
	return _api != null and bool(_options["handle_quit"])


# Takes over closing the window, or gives it back if it took it before; a
# game that turned auto-accept off itself keeps it off.
func _take_quit(take: bool) -> void:
	if take != _holds_quit:
		get_tree().set_auto_accept_quit(not take)
		_holds_quit = take


# --- sessions and plays -----------------------------------------------------


func _begin_play(id: int, origin_usec: int) -> void:
	_play_session_id = id
	_last_play_session_id = id
	_next_sequence = 1
	_play_origin_usec = origin_usec
	_resumed = false
	_save_soon()


# Queues the close of the open play with the last sequence number given out.
func _queue_play_close() -> void:
	if _play_session_id == 0:
		return
	_queue.push_close("play", _play_session_id, _next_sequence - 1)
	_play_session_id = 0
	_save_soon()


# Queues the closes of the open play and session: for end_session(), and
# for start_session() when an earlier run of the game left them open.
func _queue_closes() -> void:
	_queue_play_close()
	if _session_id != 0:
		_queue.push_close("session", _session_id)
	_session_id = 0
	_resumed = false
	_save_soon()


# The server no longer has this play session: events logged to it now
# could never be stored, so log_event() refuses them until start_play().
func _forget_play(play_id: int) -> void:
	if _play_session_id == play_id:
		_play_session_id = 0
		_save_soon()


func _accepted(answer: Dictionary, path: String) -> bool:
	if ApiClient.succeeded(answer) and answer["body"] is Dictionary:
		return true
	request_failed.emit(ApiClient.error_of(answer, path))
	return false


func _outcome(answer: Dictionary, path: String) -> Dictionary:
	var ok := ApiClient.succeeded(answer)
	if not ok:
		request_failed.emit(ApiClient.error_of(answer, path))
	return {"ok": ok, "status": answer["status"], "body": answer["body"]}


# --- events -----------------------------------------------------------------


func _misuse(event_type: int, fields: Dictionary) -> String:
	if _api == null:
		return "call configure(url, api_key) first"
	if _play_session_id == 0:
		return "start a play before logging events"
	if _next_sequence > StoredRecords.MAX_SEQUENCE:
		return "this play has given out every sequence number; start a new play"
	var problem := EventFields.problem(event_type, fields) if check_events else ""
	return problem if not problem.is_empty() else EventData.problem(fields)


# `happened_usec` is on the Time.get_ticks_usec() clock; the wall-clock
# timestamp is moved back by as much as that lies in the past.
func _stamped(event: Dictionary, happened_usec: int) -> Dictionary:
	var ago_s := maxf(0.0, Time.get_ticks_usec() - happened_usec) / 1_000_000.0
	event["sequence"] = _next_sequence
	event["monotonic_ms"] = maxf(0.0, happened_usec - _play_origin_usec) / 1000.0
	event["timestamp"] = WireValues.iso_from_unix(_unix_now() - ago_s)
	event["client_event_id"] = WireValues.new_event_id()
	_next_sequence += 1
	return event


# The wall clock in unix seconds, moved by wall_clock_offset_ms.
func _unix_now() -> float:
	return Time.get_unix_time_from_system() + wall_clock_offset_ms / 1000.0


func _monotonic_now_ms() -> float:
	return float(Time.get_ticks_usec() - _play_origin_usec) / 1000.0


# The oldest events are kept and new ones dropped, as in the web SDK. The
# dropped event keeps its sequence number, so the completeness report shows
# it as missing instead of the loss going unseen.
func _drop_for_full_queue(event: Dictionary) -> void:
	_save_soon()
	var dropped := {"event": event, "play_session_id": _play_session_id, "reason": "queue_full"}
	events_dropped.emit([dropped])


# --- flushing ---------------------------------------------------------------


func _flush_in_background() -> void:
	if not _quitting and _api != null:
		flush()


# Flushes flush_interval_ms after the oldest waiting event, or once the
# server's Retry-After ends if that is later; never while sending is paused.
func _schedule_flush() -> void:
	if _delivery == null or _queue.is_empty() or _flushing:
		return
	if not _delivery.pause_error.is_empty():
		return

	var interval_s := maxf(0.001, float(_options["flush_interval_ms"]) / 1000.0)
	var hold_s := _delivery.hold_ms() / 1000.0
	if _timer.is_stopped():
		_timer.start(maxf(interval_s, hold_s))
	elif _timer.time_left < hold_s:
		_timer.start(hold_s)


# --- persistence and quitting -----------------------------------------------


# The queue file of an earlier run: restored when it is this owner's, or
# when it names no owner (written before owners were stored); set aside
# for its own owner otherwise, if it holds anything to send.
func _load_queue(state: Dictionary, queue_owner: String) -> void:
	_report_damage(state, _store.path)
	if state.is_empty() or state.has("corrupt"):
		return
	var stored_owner: String = state["owner"]
	if stored_owner.is_empty() or stored_owner == queue_owner:
		_restore(state)
	elif not QueueAside.holds_anything(state):
		return
	elif QueueAside.set_aside(_store, state) == OK:
		_report_set_aside(state)
	else:
		_detached = true
		var message := "the queue in %s is for another server or key and could not be set aside;"
		message += " it stays there, and this run keeps its events in memory only"
		_report_storage("storage_failed", message % _store.path, _store.path)


# configure() with another server or key: what is queued was logged for the
# earlier one and goes to its own file, to be sent when that server and
# key are configured again. Nothing open goes on under the new key.
func _set_aside_queued() -> bool:
	var state := _state()
	if not QueueAside.holds_anything(state):
		return true
	var saved := QueueAside.set_aside(_store, state)
	if saved != OK:
		var message := "the queue could not be set aside in %s (error %d)"
		var aside_path := _store.aside_path(_owner)
		_report_storage("storage_failed", message % [aside_path, saved], aside_path)
		return false

	_report_set_aside(state)
	_queue.clear()
	_session_id = 0
	_play_session_id = 0
	_last_play_session_id = 0
	_next_sequence = 1
	_resumed = false
	return true


# Makes the queue this owner's and takes back what was set aside for it:
# its events go in front, and its file goes once the queue file holds them.
func _own_queue(queue_owner: String) -> void:
	_owner = queue_owner
	var taken := QueueAside.take(_store, queue_owner)
	_report_damage(taken, _store.aside_path(queue_owner))
	if not taken.is_empty() and not taken.has("corrupt"):
		_queue.prepend(taken["events"], taken["closes"])
	if _save_now() and not taken.is_empty() and not taken.has("corrupt"):
		QueueAside.release(_store, queue_owner)


func _restore(state: Dictionary) -> void:
	if state.is_empty():
		return
	_queue.events.assign(state["events"])
	_queue.closes.assign(state["closes"])
	_session_id = state["session_id"]
	_play_session_id = state["play_session_id"]
	_last_play_session_id = _play_session_id
	_next_sequence = state["next_sequence"]
	_resumed = _session_id != 0
	# Ticks start again with the process, so monotonic time goes on from
	# where the last save left it, plus the wall-clock time that passed since
	# (not less than nothing, should the wall clock have been set back).
	var saved_unix: float = state["unix_at_save"]
	var gap_ms := 0.0 if saved_unix < 0.0 else maxf(0.0, _unix_now() - saved_unix) * 1000.0
	var saved_ms: float = state["monotonic_ms_at_save"]
	_play_origin_usec = Time.get_ticks_usec() - int((saved_ms + gap_ms) * 1000.0)


func _state() -> Dictionary:
	return {
		"owner": _owner,
		"session_id": _session_id,
		"play_session_id": _play_session_id,
		"next_sequence": _next_sequence,
		"monotonic_ms_at_save": _monotonic_now_ms() if _play_session_id != 0 else 0.0,
		"unix_at_save": _unix_now(),
		"events": _queue.events,
		"closes": _queue.closes,
	}


# Many events logged in one frame cost one write, at the end of the frame.
func _save_soon() -> void:
	if not _save_queued:
		_save_queued = true
		_save_now.call_deferred()


# Answers whether the queue file now holds the queue.
func _save_now() -> bool:
	_save_queued = false
	if _store == null or _detached:
		return false
	var saved := _store.save_state(_state())
	if saved != OK:
		var message := "the queue could not be saved to %s (error %d)" % [_store.path, saved]
		_report_storage("queue_not_saved", message, _store.path)
	return saved == OK


func _report_set_aside(state: Dictionary) -> void:
	var aside_path := _store.aside_path(state["owner"])
	var message := "%d event(s) queued for another server or key were set aside in %s;"
	message += " they are sent when that server and key are configured again"
	var count: int = state["events"].size()
	_report_storage("queue_set_aside", message % [count, aside_path], aside_path)


# A file that could not be read at all, or whose damaged parts were left out.
func _report_damage(state: Dictionary, file_path: String) -> void:
	if state.get("corrupt", false):
		var message := "%s could not be read; it was kept as %s.corrupt" % [file_path, file_path]
		_report_storage("storage_corrupt", message, file_path)
	elif state.get("dropped", 0) > 0 or state.get("repaired", false):
		var message := "parts of %s could not be read (%d event(s) dropped); the rest was restored"
		_report_storage("storage_corrupt", message % [file_path, state["dropped"]], file_path)


# Trouble with a queue file, told through request_failed with status 0. It
# is emitted at the end of the frame, so that a game that connects the
# signal right after configure() hears of what configure() found.
func _report_storage(code: String, message: String, file_path: String) -> void:
	var error := {"path": file_path, "status": 0, "code": code, "message": message}
	error.merge({"field": "", "rule": "", "retryable": false, "retry_after_ms": -1.0})
	error["request_id"] = ""
	call_deferred("emit_signal", "request_failed", error)


func _quit_after_flush() -> void:
	if _quitting:
		return
	_quitting = true
	await shutdown()
	get_tree().quit()
