extends RefCounted
## Checks what a game passes to log_event() and turns it into the wire
## shape, before the event is stamped and queued. Catching misuse here
## tells the developer at once, instead of a refusal from the server later.
##
## [codeblock]
## var problem := EventFields.problem(102, {"magnitude": 412.5}) # ""
## var event := EventFields.to_wire(102, {"magnitude": 412.5})
## [/codeblock]

const Events := preload("event_types.gd")

## log_event() field names, and the wire names they are sent under.
const NAMES := {
	"subtype": "event_subtype",
	"x": "x",
	"y": "y",
	"z": "z",
	"magnitude": "magnitude",
	"data": "data",
	# When the event happened; used for its times, never sent itself.
	"ticks_usec": "",
}


## Why this event would be refused, or "" when it is fine.
static func problem(event_type: int, fields: Dictionary) -> String:
	if event_type < 0 or event_type > 999:
		return "the event type must be from 0 to 999, not %d" % event_type
	for key in fields:
		var found := _field_problem(str(key), fields[key])
		if not found.is_empty():
			return found
	return Events.magnitude_problem(event_type, fields.get("magnitude"))


## The event as the server reads it, without the stamps the SDK adds.
## `data` is copied, so a later change to the game's Dictionary does not
## reach the queued event.
static func to_wire(event_type: int, fields: Dictionary) -> Dictionary:
	var event := {"event_type": event_type}
	for key in fields:
		# Unknown names are skipped: problem() reports them unless the SDK's
		# check_events is off.
		var wire_name: String = NAMES.get(key, "")
		var value: Variant = fields[key]
		if value is Dictionary or value is Array:
			value = value.duplicate(true)
		if typeof(value) != TYPE_NIL and not wire_name.is_empty():
			event[wire_name] = value
	return event


static func _field_problem(key: String, value: Variant) -> String:
	if not NAMES.has(key):
		return "unknown field '%s' (known: %s)" % [key, ", ".join(NAMES.keys())]
	if typeof(value) == TYPE_NIL:
		return ""
	if key == "data":
		return _data_problem(value)
	if key == "subtype":
		var fits: bool = value is int and value >= 0 and value <= 999
		return "" if fits else "subtype must be an int from 0 to 999"
	if key == "ticks_usec":
		var past: bool = value is int and value >= 0 and value <= Time.get_ticks_usec()
		return "" if past else "ticks_usec must be an int from Time.get_ticks_usec(), not later"
	if not (value is int or value is float) or is_nan(float(value)) or is_inf(float(value)):
		return "%s must be a finite number" % key
	return ""


# What `data` holds, and its size, is checked by event_data.gd, which runs
# even with check_events off.
static func _data_problem(value: Variant) -> String:
	return "" if value is Dictionary else "data must be a Dictionary"
