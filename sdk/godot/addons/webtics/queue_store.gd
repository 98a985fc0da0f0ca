extends RefCounted
## Keeps the SDK's state in one JSON file: the unsent events, the closes not
## yet sent, the open session and play ids and the next sequence number.
##
## A save writes a temporary file beside the real one and renames it over
## the real one, so a crash in the middle of a write leaves the previous file
## whole. On Windows Godot removes the old file before the rename; a crash in
## that gap leaves only the temporary file, which load_state() then reads.
##
## [codeblock]
## var store := QueueStore.new("user://webtics/queue.json")
## var state := store.load_state()
## store.save_state(state)
## [/codeblock]

const FORMAT_VERSION := 1

var path: String
var _temp_path: String


func _init(file_path: String) -> void:
	path = file_path
	_temp_path = file_path + ".tmp"


## The saved state, or an empty Dictionary when there is none. A file that
## cannot be read as JSON is moved aside to "<path>.corrupt", never deleted.
func load_state() -> Dictionary:
	var state := _read(path)
	if state.is_empty():
		state = _read(_temp_path)
	if state.is_empty() and FileAccess.file_exists(path):
		push_warning("WebTics: %s could not be read; kept as %s.corrupt" % [path, path])
		DirAccess.rename_absolute(path, path + ".corrupt")
	return {} if state.is_empty() else _normalised(state)


## Writes the state to the temporary file, then renames it over the real
## one. Returns OK or the error that stopped the write.
func save_state(state: Dictionary) -> Error:
	var made := DirAccess.make_dir_recursive_absolute(path.get_base_dir())
	if made != OK and made != ERR_ALREADY_EXISTS:
		return made

	var file := FileAccess.open(_temp_path, FileAccess.WRITE)
	if file == null:
		return FileAccess.get_open_error()
	var copy := state.duplicate()
	copy["version"] = FORMAT_VERSION
	file.store_string(JSON.stringify(copy))
	file.flush()
	var written := file.get_error()
	file.close()
	if written != OK:
		return written

	return DirAccess.rename_absolute(_temp_path, path)


## Removes the saved state, e.g. after every event was sent and every
## session closed, so nothing stale is resumed.
func clear() -> void:
	for file_path in [path, _temp_path]:
		if FileAccess.file_exists(file_path):
			DirAccess.remove_absolute(file_path)


func _read(file_path: String) -> Dictionary:
	if not FileAccess.file_exists(file_path):
		return {}

	var parsed: Variant = JSON.parse_string(FileAccess.get_file_as_string(file_path))
	if parsed is Dictionary and parsed.get("version") == FORMAT_VERSION:
		return parsed
	return {}


# JSON gives every number back as a float; ids, types and sequence numbers
# are turned back into integers so they go out as "17", not "17.0".
func _normalised(state: Dictionary) -> Dictionary:
	var events: Array[Dictionary] = []
	for queued in state.get("events", []):
		if queued is Dictionary and queued.get("event") is Dictionary:
			events.append(_normalised_queued_event(queued))

	var closes: Array[Dictionary] = []
	for close in state.get("closes", []):
		if close is Dictionary:
			closes.append(_with_integers(close, ["id", "last_sequence"]))

	return {
		"session_id": int(state.get("session_id", 0)),
		"play_session_id": int(state.get("play_session_id", 0)),
		"next_sequence": maxi(1, int(state.get("next_sequence", 1))),
		"monotonic_ms_at_save": float(state.get("monotonic_ms_at_save", 0.0)),
		"unix_at_save": float(state.get("unix_at_save", 0.0)),
		"events": events,
		"closes": closes,
	}


func _normalised_queued_event(queued: Dictionary) -> Dictionary:
	var event := _with_integers(queued["event"], ["event_type", "event_subtype", "sequence"])
	return {"play_session_id": int(queued.get("play_session_id", 0)), "event": event}


func _with_integers(source: Dictionary, keys: Array) -> Dictionary:
	var copy := source.duplicate(true)
	for key in keys:
		if copy.get(key) is float:
			copy[key] = int(copy[key])
	return copy
