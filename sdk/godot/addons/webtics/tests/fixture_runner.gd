extends SceneTree
## Plays the shared wire fixtures (sdk/fixtures/wire/*.json) against the
## Godot SDK, as test/sdk/web/fixtures.test.ts plays them against the web
## SDK: it makes the fixture's calls on a fresh WebTics node whose transport
## answers from the fixture, checks that the SDK made exactly the fixture's
## requests, then checks the fixture's "expect". Prints a line per fixture
## and "N passed, N failed"; exits with 1 when any fixture failed. Every
## injected answer carries an X-Request-Id header (scripted_transport.gd), as
## in the web runner: the SDK takes an error body for the server's only with
## a request id.
##
## Calls, config keys and expect fields are those of
## sdk/fixtures/wire/README.md. Time is real here, not virtual as in the web
## runner: a min_wait_ms is checked against the clock, and advance_clock
## waits that long.
##
## NEVER EXECUTED: written for Godot 4, which could not run where it was
## written; it was aligned with the fixtures by reading them. Run it from a
## project that holds the addon, e.g.:
##
##   godot --headless --path sdk/godot/examples/reaction_time \
##     --script res://addons/webtics/tests/fixture_runner.gd \
##     -- --fixtures=/absolute/path/to/sdk/fixtures/wire

const WebTicsNode := preload("../webtics.gd")
const FixtureMatcher := preload("fixture_matcher.gd")
const ScriptedTransport := preload("scripted_transport.gd")

const BASE_URL := "http://127.0.0.1:8013"
# The web runner's values, so that both report alike.
const RUN_VALUES := {"api_key": "wt_fixture_key", "session_id": 41, "play_session_id": 77}
const QUEUE_DIR := "user://webtics-fixtures"
const CONFIG_KEYS := ["batch_size", "max_attempts", "clock_offset_ms"]
const EXPECT_KEYS := ["rejected", "pending_events"]
# Long enough that no timer starts a flush between the script's calls; the
# web runner does the same.
const FLUSH_INTERVAL_MS := 3_600_000
const UNKNOWN_CALL := "<unknown call>"


func _initialize() -> void:
	_run_all.call_deferred()


func _run_all() -> void:
	var files := _fixture_files(_fixtures_folder())
	if files.is_empty():
		printerr("No fixtures found; pass -- --fixtures=/path/to/sdk/fixtures/wire")
		quit(2)
		return

	var failed := 0
	for path in files:
		var problems := await _play(path)
		if problems.is_empty():
			print("ok    %s" % path.get_file())
		else:
			failed += 1
			print("FAIL  %s\n      %s" % [path.get_file(), "\n      ".join(problems)])
	print("%d passed, %d failed" % [files.size() - failed, failed])
	quit(0 if failed == 0 else 1)


func _fixtures_folder() -> String:
	for argument in OS.get_cmdline_user_args():
		if argument.begins_with("--fixtures="):
			return argument.trim_prefix("--fixtures=")
	return ""


# The *.json files of the folder, by name, as the web runner orders them.
func _fixture_files(folder: String) -> Array[String]:
	var paths: Array[String] = []
	if folder.is_empty() or not DirAccess.dir_exists_absolute(folder):
		return paths
	var names := DirAccess.get_files_at(folder)
	names.sort()
	for file_name in names:
		if file_name.ends_with(".json"):
			paths.append(folder.path_join(file_name))
	return paths


## Plays one fixture and returns what went wrong, one line each.
func _play(path: String) -> Array[String]:
	var problems: Array[String] = []
	var fixture: Variant = JSON.parse_string(FileAccess.get_file_as_string(path))
	if not (fixture is Dictionary):
		problems.append("not a JSON object")
		return problems

	var config: Dictionary = fixture.get("config", {})
	problems.append_array(_unknown_keys("config", config, CONFIG_KEYS))
	var matcher := FixtureMatcher.new(RUN_VALUES)
	var transport := ScriptedTransport.new(fixture.get("exchanges", []), matcher, BASE_URL, self)
	var queue_path := QUEUE_DIR.path_join("%s.json" % path.get_file().get_basename())
	_remove_queue(queue_path)
	var sdk := _new_sdk(transport, config, queue_path)
	var rejected: Array = []
	sdk.events_rejected.connect(func(items: Array) -> void: rejected.append_array(items))

	for step in fixture.get("script", []):
		var problem := await _perform(sdk, matcher, step)
		if not problem.is_empty():
			problems.append(problem)
	await _settle(sdk)

	problems.append_array(transport.problems)
	if transport.remaining() > 0:
		problems.append("%d exchanges were never reached" % transport.remaining())
	var expected: Dictionary = fixture.get("expect", {})
	problems.append_array(_check_expect(expected, sdk, matcher, rejected))
	sdk.queue_free()
	await process_frame
	_remove_queue(queue_path)
	return problems


# The web runner's setup: no check of events before sending (the web SDK has
# none at run time), the fixture's batch_size, max_attempts and clock offset.
func _new_sdk(
	transport: ScriptedTransport, config: Dictionary, queue_path: String
) -> WebTicsNode:
	var sdk: WebTicsNode = WebTicsNode.new()
	sdk.transport = transport
	sdk.check_events = false
	sdk.wall_clock_offset_ms = float(config.get("clock_offset_ms", 0))
	root.add_child(sdk)
	sdk.configure(BASE_URL, str(RUN_VALUES["api_key"]), _options(config, queue_path))
	return sdk


func _options(config: Dictionary, queue_path: String) -> Dictionary:
	return {
		"handle_quit": false,
		"queue_path": queue_path,
		"flush_interval_ms": FLUSH_INTERVAL_MS,
		"batch_size": int(config.get("batch_size", 50)),
		"max_attempts": int(config.get("max_attempts", 5)),
	}


# Makes one scripted call with its "{name}" values filled in. The call must
# fail when the step says "fails": true, and must not fail otherwise.
func _perform(sdk: WebTicsNode, matcher: FixtureMatcher, step: Dictionary) -> String:
	var args: Dictionary = matcher.filled(step)
	var name := str(args.get("call", ""))
	var result: Variant = await _call(sdk, args)
	if typeof(result) == TYPE_STRING and result == UNKNOWN_CALL:
		return "the runner does not know the call %s" % JSON.stringify(step)

	var must_fail := bool(step.get("fails", false))
	if must_fail and not _is_failure(result):
		return "%s must fail, but it succeeded" % name
	if _is_failure(result) and not must_fail:
		return "%s failed: %s" % [name, JSON.stringify(result)]
	return ""


# The SDK call for each call of sdk/fixtures/wire/README.md; returns what the
# SDK returned (null for calls that return nothing), or UNKNOWN_CALL.
func _call(sdk: WebTicsNode, args: Dictionary) -> Variant:
	match args.get("call", ""):
		"start_session":
			return await sdk.start_session(str(args["unique_id"]), str(args["build_number"]))
		"start_play":
			return await sdk.start_play()
		"log":
			return sdk.log_event(int(args["event_type"]), _log_fields(args))
		"flush":
			return await sdk.flush()
		"close_play":
			return await sdk.close_play()
		"end_session":
			return await sdk.end_session()
		"completeness":
			return await sdk.completeness()
		"resume_sending":
			sdk.resume_sending()
			return null
		"consent":
			return await sdk.consent(_consent_fields(args))
		"my_data":
			return await sdk.my_data(str(args["code"]))
		"withdraw":
			return await sdk.withdraw(str(args["code"]))
		"advance_clock":
			await create_timer(float(args.get("ms", 0)) / 1000.0, true, false, true).timeout
			return null
	return UNKNOWN_CALL


# How the SDK's calls fail: false, 0, "" or {"ok": false}. Those that return
# nothing never fail.
func _is_failure(result: Variant) -> bool:
	match typeof(result):
		TYPE_DICTIONARY:
			return not bool(result.get("ok", false))
		TYPE_BOOL:
			return not result
		TYPE_INT:
			return result == 0
		TYPE_STRING:
			return result == ""
	return false


# The step's fields in log_event()'s names; JSON gives numbers as floats and
# the SDK takes the subtype as an int only.
func _log_fields(args: Dictionary) -> Dictionary:
	var fields := {}
	for key in ["x", "y", "z", "magnitude", "data"]:
		if args.has(key):
			fields[key] = args[key]
	if args.has("event_subtype"):
		fields["subtype"] = int(args["event_subtype"])
	return fields


# The fields the web runner passes: consent_version, and age_range if given.
func _consent_fields(args: Dictionary) -> Dictionary:
	var fields := {"consent_version": str(args["consent_version"])}
	if args.has("age_range"):
		fields["age_range"] = str(args["age_range"])
	return fields


# Checked after the script ran: the events reported as refused, matched like
# an answer, and how many stay queued.
func _check_expect(
	expected: Dictionary, sdk: WebTicsNode, matcher: FixtureMatcher, rejected: Array
) -> Array[String]:
	var problems := _unknown_keys("expect", expected, EXPECT_KEYS)
	if expected.has("pending_events"):
		var wanted := int(expected["pending_events"])
		if sdk.pending_events() != wanted:
			var counts := [wanted, sdk.pending_events()]
			problems.append("expect.pending_events: %d, but %d are queued" % counts)
	if expected.has("rejected"):
		matcher.check(expected["rejected"], rejected, "expect.rejected", problems)
	return problems


# A key this runner does not know would otherwise be ignored without a word.
func _unknown_keys(where: String, given: Dictionary, known: Array) -> Array[String]:
	var problems: Array[String] = []
	for key in given:
		if not known.has(key):
			problems.append("%s.%s: the runner does not know this key" % [where, key])
	return problems


# Lets a flush that the script did not wait for (a full batch) end.
func _settle(sdk: WebTicsNode) -> void:
	for _frame in 600:
		if not sdk._flushing:
			return
		await process_frame


func _remove_queue(queue_path: String) -> void:
	for file_path in [queue_path, queue_path + ".tmp"]:
		if FileAccess.file_exists(file_path):
			DirAccess.remove_absolute(file_path)
