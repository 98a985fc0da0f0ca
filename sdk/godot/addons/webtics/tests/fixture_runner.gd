extends SceneTree
## Plays the shared wire fixtures (sdk/fixtures/wire/*.json) against the
## Godot SDK: it makes the fixture's calls on a fresh WebTics node whose
## transport answers from the fixture, then checks that the SDK made exactly
## the fixture's requests. Prints a line per fixture and "N passed, N
## failed"; exits with 1 when any fixture failed.
##
## NEVER EXECUTED: written for Godot 4, which could not run where it was
## written. Run it from a project that holds the addon, e.g.:
##
##   godot --headless --path sdk/godot/examples/reaction_time \
##     --script res://addons/webtics/tests/fixture_runner.gd \
##     -- --fixtures=/absolute/path/to/sdk/fixtures/wire

const WebTicsNode := preload("../webtics.gd")
const FixtureMatcher := preload("fixture_matcher.gd")
const ScriptedTransport := preload("scripted_transport.gd")

const BASE_URL := "http://127.0.0.1:8013"
const RUN_VALUES := {"api_key": "wt_ingest_fixture_key", "session_id": 41, "play_session_id": 42}
const QUEUE_DIR := "user://webtics-fixtures"


func _initialize() -> void:
	_run_all.call_deferred()


func _run_all() -> void:
	var folder := _fixtures_folder()
	var files := DirAccess.get_files_at(folder)
	if folder.is_empty() or files.is_empty():
		printerr("No fixtures found; pass -- --fixtures=/path/to/sdk/fixtures/wire")
		quit(2)
		return

	var passed := 0
	var failed := 0
	for file in files:
		if not file.ends_with(".json"):
			continue
		var problems := await _play(folder.path_join(file))
		if problems.is_empty():
			passed += 1
			print("ok    %s" % file)
		else:
			failed += 1
			print("FAIL  %s\n      %s" % [file, "\n      ".join(problems)])
	print("%d passed, %d failed" % [passed, failed])
	quit(0 if failed == 0 else 1)


func _fixtures_folder() -> String:
	for argument in OS.get_cmdline_user_args():
		if argument.begins_with("--fixtures="):
			return argument.trim_prefix("--fixtures=")
	return ""


## Plays one fixture and returns what went wrong, one line each.
func _play(path: String) -> Array[String]:
	var problems: Array[String] = []
	var fixture: Variant = JSON.parse_string(FileAccess.get_file_as_string(path))
	if not (fixture is Dictionary):
		problems.append("not a JSON object")
		return problems

	var matcher := FixtureMatcher.new(RUN_VALUES)
	var transport := ScriptedTransport.new(fixture.get("exchanges", []), matcher, BASE_URL, self)
	var queue_path := QUEUE_DIR.path_join("%s.json" % path.get_file().get_basename())
	_remove_queue(queue_path)
	var sdk := _new_sdk(transport, _options(fixture.get("config", {}), queue_path))

	for step in fixture.get("script", []):
		var outcome := await _call(sdk, transport, step, queue_path)
		sdk = outcome["sdk"]
		if not outcome["problem"].is_empty():
			problems.append(outcome["problem"])
	await _settle(sdk)

	problems.append_array(transport.problems)
	if transport.remaining() > 0:
		problems.append("%d exchanges were never reached" % transport.remaining())
	sdk.queue_free()
	await process_frame
	_remove_queue(queue_path)
	return problems


func _new_sdk(transport: Object, options: Dictionary) -> Node:
	var sdk: Node = WebTicsNode.new()
	sdk.transport = transport
	root.add_child(sdk)
	sdk.configure(BASE_URL, RUN_VALUES["api_key"], options)
	return sdk


# The fixture's config, in the SDK's option names (a fixture written for the
# web SDK may say batchSize or nest retry settings).
func _options(config: Dictionary, queue_path: String) -> Dictionary:
	var options := {"handle_quit": false, "queue_path": queue_path}
	var flat := config.duplicate()
	if config.get("retry") is Dictionary:
		flat.merge(config["retry"])
	for key in flat:
		var name := str(key).to_snake_case()
		if WebTicsNode.DEFAULT_OPTIONS.has(name):
			options[name] = flat[key]
	return options


# Makes one scripted call. Returns {"sdk", "problem"}: "restart" replaces
# the node, as a game that was closed and started again would.
func _call(sdk: Node, transport: Object, step: Dictionary, queue_path: String) -> Dictionary:
	var problem := ""
	var result: Variant = null
	match step.get("call", ""):
		"start_session":
			result = await sdk.start_session(step["unique_id"], step["build_number"])
		"start_play":
			result = await sdk.start_play()
		"log":
			result = sdk.log_event(int(step["event_type"]), _log_fields(step))
		"flush":
			result = await sdk.flush()
		"close_play", "end_play":
			result = await sdk.close_play()
		"end_session":
			result = await sdk.end_session()
		"consent":
			result = await sdk.consent(step.get("fields", {}))
		"withdraw":
			result = await sdk.withdraw(step["code"])
		"completeness":
			result = await sdk.completeness()
		"wait":
			await create_timer(float(step.get("ms", 0)) / 1000.0).timeout
		"restart":
			sdk = await _restart(sdk, transport)
		_:
			problem = "unsupported call %s" % JSON.stringify(step)
	if step.has("expect") and problem.is_empty():
		var found: Array[String] = []
		var where := "%s result" % step["call"]
		FixtureMatcher.new(RUN_VALUES).check(step["expect"], result, where, found)
		problem = "; ".join(found)
	return {"sdk": sdk, "problem": problem}


# As a game that was closed and started again: the queue file is all that
# carries over. Waits for a running flush first, so that no answer arrives
# for a node that is gone.
func _restart(sdk: Node, transport: Object) -> Node:
	await _settle(sdk)
	var options: Dictionary = sdk._options
	sdk._save_now()
	sdk.queue_free()
	await process_frame
	return _new_sdk(transport, options)


# JSON gives numbers as floats; the SDK takes the subtype as an int only.
func _log_fields(step: Dictionary) -> Dictionary:
	var fields := {}
	for key in ["x", "y", "z", "magnitude", "data"]:
		if step.has(key):
			fields[key] = step[key]
	for key in ["subtype", "event_subtype"]:
		if step.has(key):
			fields["subtype"] = int(step[key])
	return fields


# Lets a flush that the script did not wait for (a timer, a full batch) end.
func _settle(sdk: Node) -> void:
	for _frame in 600:
		if not sdk._flushing:
			return
		await process_frame


func _remove_queue(queue_path: String) -> void:
	for file_path in [queue_path, queue_path + ".tmp"]:
		if FileAccess.file_exists(file_path):
			DirAccess.remove_absolute(file_path)
