extends RefCounted
## Moves the queue of another server or key out of the way, and back. A
## queue goes only with the key it was logged for (its owner, see
## QueueStore.owner_of()): sent with another key it would be refused and
## pause sending, or meet a 404 from a study that cannot see its play
## sessions and be dropped. So the SDK puts such a queue in a file of its
## own beside the queue file, with its open play and session turned into
## queued closes, and takes it back when that server and key are
## configured again.
##
## [codeblock]
## if QueueAside.holds_anything(old_state):
##     QueueAside.set_aside(store, old_state)
## var taken := QueueAside.take(store, owner)
## [/codeblock]

const QueueStore := preload("queue_store.gd")
const StoredRecords := preload("stored_records.gd")


## True when a state holds anything to send: events, closes, or an open
## session or play to close.
static func holds_anything(state: Dictionary) -> bool:
	var events: Array = state["events"]
	var closes: Array = state["closes"]
	var open: bool = state["session_id"] != 0 or state["play_session_id"] != 0
	return open or not events.is_empty() or not closes.is_empty()


## Writes the queue in `state` (a state as the SDK saves it, with its
## "owner") to that owner's aside file, after whatever an earlier set-aside
## of the same owner left there. Returns OK or the error that stopped the
## write; the caller keeps its copy until OK.
static func set_aside(store: QueueStore, state: Dictionary) -> Error:
	var aside := QueueStore.new(store.aside_path(state["owner"]))
	var earlier := aside.load_state()
	var events: Array[Dictionary] = []
	var closes: Array[Dictionary] = []
	events.assign(earlier.get("events", []))
	closes.assign(earlier.get("closes", []))
	events.append_array(state["events"])
	closes.append_array(state["closes"])
	closes.append_array(_closes_left_open(state))

	return aside.save_state({
		"owner": state["owner"],
		"session_id": 0,
		"play_session_id": 0,
		"next_sequence": 1,
		"monotonic_ms_at_save": 0.0,
		"unix_at_save": -1.0,
		"events": events,
		"closes": closes,
	})


## What was set aside for `owner`, read as StoredRecords.read_state()
## reads a queue file ("corrupt": true when it could not be read), or {}
## when nothing was. The file stays until release().
static func take(store: QueueStore, owner: String) -> Dictionary:
	var taken := QueueStore.new(store.aside_path(owner)).load_state()
	var named: String = taken.get("owner", owner)
	# A file under this owner's name that says another owner is not sent.
	return taken if named == owner or named.is_empty() else {}


## Removes the aside file of `owner`, once its queue is saved elsewhere.
static func release(store: QueueStore, owner: String) -> void:
	QueueStore.new(store.aside_path(owner)).clear()


# The open play and session of a queue set aside become closes, which the
# SDK that takes the queue back sends after its events: no run will
# continue them.
static func _closes_left_open(state: Dictionary) -> Array[Dictionary]:
	var closes: Array[Dictionary] = []
	var play_id: int = state["play_session_id"]
	if play_id != 0:
		var last := mini(int(state["next_sequence"]) - 1, StoredRecords.MAX_SEQUENCE)
		closes.append({"kind": "play", "id": play_id, "last_sequence": maxi(0, last)})
	var session_id: int = state["session_id"]
	if session_id != 0:
		closes.append({"kind": "session", "id": session_id})
	return closes
