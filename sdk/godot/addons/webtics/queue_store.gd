extends RefCounted
## Keeps the SDK's state in one JSON file: the unsent events, the closes not
## yet sent, the open session and play ids, the next sequence number, and
## the owner: a fingerprint of the server and key the events are for.
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

const StoredRecords := preload("stored_records.gd")

const FORMAT_VERSION := 1

var path: String
var _temp_path: String


func _init(file_path: String) -> void:
	path = file_path
	_temp_path = file_path + ".tmp"


## A short fingerprint of a server and an ingest key: the first 32 bits of
## SHA-256 of both, in hex. It is stored with the queue, so that events are
## sent only with the key they were logged for; 32 bits of a long random
## key tell nothing useful about it. The key itself is never stored.
##
## [codeblock]
## var owner := QueueStore.owner_of("http://127.0.0.1:8013", key) # e.g. "9f3a07c2"
## [/codeblock]
static func owner_of(url: String, api_key: String) -> String:
	return ("%s\n%s" % [url, api_key]).sha256_text().substr(0, 8)


## The saved state as StoredRecords.read_state() answers it (damaged parts
## left out and counted), or an empty Dictionary when there is none. A file
## that cannot be read as JSON is moved aside to "<path>.corrupt", never
## deleted, and "corrupt" is then true in the answer.
func load_state() -> Dictionary:
	var state := _read(path)
	if state.is_empty():
		state = _read(_temp_path)
	if state.is_empty() and FileAccess.file_exists(path):
		push_warning("WebTics: %s could not be read; kept as %s.corrupt" % [path, path])
		DirAccess.rename_absolute(path, path + ".corrupt")
		return {"corrupt": true}
	return {} if state.is_empty() else StoredRecords.read_state(state)


## Where the queue of another owner is set aside: beside this file, named
## after it and the owner, e.g. user://webtics/queue-9f3a07c2.json.
func aside_path(owner: String) -> String:
	var name := "%s-%s.json" % [path.get_file().get_basename(), owner]
	return path.get_base_dir().path_join(name)


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
	var version := FORMAT_VERSION
	if parsed is Dictionary and StoredRecords.is_integer(parsed.get("version"), version, version):
		return parsed
	return {}
