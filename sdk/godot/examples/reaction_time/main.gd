extends Control
## The reaction-time test, played as web/play/game.ts plays it in a browser:
## ten rounds, each showing a circle after a random wait of 1–3 s; the player
## clicks (or touches) it as fast as they can. Everything is logged through
## the WebTics autoload.
##
## The test takes pointer input only: a key press would measure a different
## response than reaching for a target, so it is not offered as a substitute.

## What a round ended with: {"hit": bool, "reaction_ms": float}.
signal round_finished(outcome: Dictionary)

enum Phase { IDLE, WAITING, VISIBLE }

const TRIALS := 10
const MIN_WAIT_MS := 1000.0
const MAX_WAIT_MS := 3000.0
const RESPONSE_WINDOW_MS := 2000.0
const FEEDBACK_MS := 700.0
const BUILD_NUMBER := "godot-example-1.0.0"
const TARGET_RADIUS := 36.0
const TARGET_COLOR := Color(0.93, 0.36, 0.24)
const DEFAULT_URL := "http://127.0.0.1:8013"

var _phase := Phase.IDLE
var _trial := 0
var _shown_at_usec := 0
var _target_center := Vector2.ZERO
var _target_shown := false
var _premature := 0
var _off_target := 0

@onready var _setup: HBoxContainer = $Layout/Setup
@onready var _participant: LineEdit = $Layout/Setup/Participant
@onready var _key: LineEdit = $Layout/Setup/Key
@onready var _start: Button = $Layout/Setup/Start
@onready var _status: Label = $Layout/Status
@onready var _arena: Panel = $Layout/Arena
@onready var _result: Label = $Layout/Result
@onready var _send_again: Button = $Layout/SendAgain
@onready var _again: Button = $Layout/Again


func _ready() -> void:
	_participant.text = _random_pseudonym()
	# An environment variable keeps the key out of the project and off the
	# command line, where other users of the machine could read it.
	_key.text = OS.get_environment("WEBTICS_INGEST_KEY")
	_start.pressed.connect(_on_start_pressed)
	_send_again.pressed.connect(_send_all)
	_again.pressed.connect(_show_setup)
	_arena.gui_input.connect(_on_arena_input)
	_arena.draw.connect(_draw_target)
	WebTics.request_failed.connect(_on_request_failed)
	WebTics.events_rejected.connect(_on_events_rejected)


func _server_url() -> String:
	return str(ProjectSettings.get_setting("webtics/server_url", DEFAULT_URL))


func _random_pseudonym() -> String:
	var alphabet := "abcdefghijkmnpqrstuvwxyz23456789"
	var pseudonym := "player-"
	for byte in Crypto.new().generate_random_bytes(6):
		pseudonym += alphabet[byte % alphabet.length()]
	return pseudonym


func _show_setup() -> void:
	_setup.show()
	_start.disabled = false
	_arena.hide()
	_result.hide()
	_send_again.hide()
	_again.hide()
	_set_status("")


func _set_status(text: String) -> void:
	_status.text = text


func _wait_ms(ms: float) -> void:
	await get_tree().create_timer(ms / 1000.0).timeout


func _on_start_pressed() -> void:
	var key := _key.text.strip_edges()
	if key.is_empty() or _participant.text.strip_edges().is_empty():
		_set_status("Enter a participant id and the study's ingest key.")
		return

	_start.disabled = true
	_set_status("Connecting…")
	if not WebTics.configure(_server_url(), key):
		_set_status("The server URL in project.godot (webtics/server_url) is not valid.")
		return
	var participant := _participant.text.strip_edges()
	var session_id: int = await WebTics.start_session(participant, BUILD_NUMBER)
	var play_id: int = 0
	if session_id != 0:
		play_id = await WebTics.start_play()
	if play_id == 0:
		_start.disabled = false
		return

	await _run_task(session_id)


func _run_task(session_id: int) -> void:
	_setup.hide()
	_arena.show()
	WebTics.log_event(WebTicsEvents.TASK_START, {"data": {"trials": TRIALS}})

	_premature = 0
	_off_target = 0
	var reaction_times: Array[float] = []
	for trial in range(1, TRIALS + 1):
		_trial = trial
		var outcome: Dictionary = await _run_round()
		if outcome["hit"]:
			reaction_times.append(outcome["reaction_ms"])
		# Leaves the round's feedback on screen. The pause comes before the
		# next round's 1–3 s wait rather than out of it, so that wait keeps
		# its range; clicks during the pause are ignored.
		await _wait_ms(FEEDBACK_MS)

	var accuracy := 100.0 * reaction_times.size() / TRIALS
	var complete_data := {"correct": reaction_times.size()}
	WebTics.log_event(WebTicsEvents.TASK_COMPLETE, {"magnitude": accuracy, "data": complete_data})
	WebTics.log_event(WebTicsEvents.TASK_SCORE, {"magnitude": _speed_score(reaction_times)})
	_show_result(reaction_times, accuracy, session_id)
	await _send_all()


func _run_round() -> Dictionary:
	_phase = Phase.WAITING
	_set_status("Round %d of %d: wait for the circle…" % [_trial, TRIALS])
	await _wait_ms(randf_range(MIN_WAIT_MS, MAX_WAIT_MS))

	_place_target()
	_set_status("Click the circle!")
	# The circle reaches the screen with the frame drawn next; time counts
	# from the end of that frame's drawing, as the browser version counts
	# from its animation frame.
	await RenderingServer.frame_post_draw
	_shown_at_usec = Time.get_ticks_usec()
	_phase = Phase.VISIBLE
	var data := {"trial": _trial, "area_width": _arena.size.x, "area_height": _arena.size.y}
	var fields := {"x": roundf(_target_center.x), "y": roundf(_target_center.y), "data": data}
	fields["ticks_usec"] = _shown_at_usec
	WebTics.log_event(WebTicsEvents.TRIAL_START, fields)
	get_tree().create_timer(RESPONSE_WINDOW_MS / 1000.0).timeout.connect(_time_out.bind(_trial))
	return await round_finished


# Places the circle at random inside the arena; its centre is in pixels
# from the arena's top left corner.
func _place_target() -> void:
	var margin := Vector2(TARGET_RADIUS, TARGET_RADIUS)
	var room := _arena.size - 2.0 * margin
	room = Vector2(maxf(room.x, 0.0), maxf(room.y, 0.0))
	_target_center = margin + Vector2(randf() * room.x, randf() * room.y)
	_target_shown = true
	_arena.queue_redraw()


func _draw_target() -> void:
	if _target_shown:
		_arena.draw_circle(_target_center, TARGET_RADIUS, TARGET_COLOR)


func _end_round(outcome: Dictionary) -> void:
	_phase = Phase.IDLE
	_target_shown = false
	_arena.queue_redraw()
	round_finished.emit(outcome)


func _time_out(trial: int) -> void:
	if _phase != Phase.VISIBLE or trial != _trial:
		return

	var data := {"trial": _trial}
	WebTics.log_event(
		WebTicsEvents.RESPONSE_TIMEOUT, {"magnitude": RESPONSE_WINDOW_MS, "data": data}
	)
	_set_status("Too slow this time.")
	_end_round({"hit": false})


# A press, not a release: a click ends on release, which would add the time
# the button is held to every reaction time. Touches arrive as mouse presses
# while the project emulates the mouse from touch (Godot's default).
func _on_arena_input(event: InputEvent) -> void:
	var press := event as InputEventMouseButton
	if press == null or not press.pressed or press.button_index != MOUSE_BUTTON_LEFT:
		return

	var at_usec := Time.get_ticks_usec()
	if _phase == Phase.WAITING:
		WebTics.log_event(WebTicsEvents.PREMATURE_RESPONSE, {"data": {"trial": _trial}})
		_premature += 1
		_set_status("Too soon: wait for the circle.")
	elif _phase == Phase.VISIBLE:
		_on_response(press.position, at_usec)


func _on_response(at: Vector2, at_usec: int) -> void:
	# Godot hands input to the game once per frame, so the time read here
	# can be late by up to a frame; see the README.
	var reaction_ms := roundf(maxf(0.0, at_usec - _shown_at_usec) / 100.0) / 10.0
	var fields := {"magnitude": reaction_ms, "data": {"trial": _trial}, "ticks_usec": at_usec}

	if at.distance_to(_target_center) > TARGET_RADIUS:
		WebTics.log_event(WebTicsEvents.INCORRECT_RESPONSE, fields)
		_off_target += 1
		_set_status("Missed: click the circle.")
		return
	WebTics.log_event(WebTicsEvents.CORRECT_RESPONSE, fields)
	_set_status("%d ms" % roundi(reaction_ms))
	_end_round({"hit": true, "reaction_ms": reaction_ms})


# A hit earns 100 × (1 − RT / window), a miss 0; the score is the mean over
# all rounds, so it is a percentage that rewards both hitting and speed.
func _speed_score(reaction_times: Array[float]) -> float:
	var points := 0.0
	for reaction_ms in reaction_times:
		points += 100.0 * clampf(1.0 - reaction_ms / RESPONSE_WINDOW_MS, 0.0, 1.0)
	return snappedf(points / TRIALS, 0.1)


func _show_result(reaction_times: Array[float], accuracy: float, session_id: int) -> void:
	var hits := reaction_times.size()
	var mean := "no hits"
	if hits > 0:
		var total := 0.0
		for reaction_ms in reaction_times:
			total += reaction_ms
		mean = "%d ms" % roundi(total / hits)

	_arena.hide()
	_result.text = "\n".join([
		"Mean reaction time: %s" % mean,
		"Accuracy: %s %% (%d of %d rounds hit)" % [accuracy, hits, TRIALS],
		"Too soon: %d   Off target: %d   Too slow: %d" % [_premature, _off_target, TRIALS - hits],
		"Your session id is %d; a researcher reads this test's events with it." % session_id,
	])
	_result.show()
	_set_status("Done.")


func _send_all() -> void:
	_send_again.hide()
	_again.disabled = true
	_set_status("Sending your results…")
	if await WebTics.end_session():
		_set_status("Your results have been sent.")
		await _report_completeness()
	else:
		_set_status("Your results could not be sent yet; they are kept and sent later.")
		_send_again.show()
	_again.disabled = false
	_again.show()


func _report_completeness() -> void:
	var report := await WebTics.completeness()
	if report["ok"] and report["body"].get("complete", false):
		_set_status("Your results have been sent, and the server has every event.")


func _on_request_failed(error: Dictionary) -> void:
	if str(error["path"]).begins_with("user://"):
		# The queue file, not the network: the events are still kept.
		push_warning("WebTics: %s" % error["message"])
	elif error["status"] == 401 or error["status"] == 403:
		_set_status("The server did not accept this key (%s)." % error["message"])
	elif not _arena.visible:
		_set_status("Could not reach the server: %s" % error["message"])


func _on_events_rejected(rejections: Array) -> void:
	for rejection in rejections:
		push_warning("WebTics refused an event: %s" % rejection["message"])
