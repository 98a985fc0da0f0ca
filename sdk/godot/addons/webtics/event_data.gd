extends RefCounted
## What log_event() refuses whatever check_events says: values the server
## would refuse for the whole batch they travel in (docs/validation.md,
## "Whole requests"), values that Godot's JSON writer cannot write as valid
## JSON, and data over the limits of an event. One such event would
## otherwise cost a whole batch a 400, and some would make the queue file
## unreadable to Godot itself.
##
## [codeblock]
## EventData.problem({"data": {"trial": 3}}) # ""
## EventData.problem({"x": NAN}) # "x is NAN, which JSON cannot hold"
## [/codeblock]

## The most bytes an event's `data` may take as UTF-8 JSON.
const MAX_DATA_BYTES := 10240
## The deepest `data` may nest: 1 for a flat Dictionary.
const MAX_DATA_DEPTH := 32
## The largest integer a JSON reader keeps exactly: 2^53 − 1.
const MAX_SAFE_INTEGER := 9007199254740991
## The fields that are sent as numbers.
const NUMBER_FIELDS := ["subtype", "x", "y", "z", "magnitude"]
## Control characters JSON may hold escaped: \b \t \n \f \r. Godot's JSON
## writer leaves the others as they are, which JSON forbids, and writes a
## vertical tab as \v, which no JSON reader (Godot's included) accepts.
const ESCAPED_CONTROLS := [8, 9, 10, 12, 13]
## Said of an integer JSON readers cannot keep exactly.
const UNSAFE_INTEGER := "is an integer beyond ±(2^53 − 1), not kept exactly; send a string"
## The value types JSON holds. Godot writes any other (a Vector2, an
## Object, a packed array of some kinds) as a string such as "(1, 2)".
const JSON_TYPES := [
	TYPE_NIL, TYPE_BOOL, TYPE_INT, TYPE_FLOAT, TYPE_STRING, TYPE_STRING_NAME,
	TYPE_DICTIONARY, TYPE_ARRAY,
]


## Why these log_event() fields could never be sent, or "" when they can.
## Checks the numbers of the top-level fields, then `data`: its shape
## (depth, value types, keys, numbers), its size as JSON, and last the text
## of every string and key, once the size bounds that work.
static func problem(fields: Dictionary) -> String:
	for name in NUMBER_FIELDS:
		var found := _number_problem(fields.get(name), name)
		if not found.is_empty():
			return found

	var data: Variant = fields.get("data")
	if typeof(data) == TYPE_NIL:
		return ""
	var shape := _shape_problem(data, "data", 1)
	if not shape.is_empty():
		return shape
	# Godot writes JSON a little differently from a browser (1.0 for 1.0,
	# where a browser writes 1), so this is close to the server's count
	# rather than equal to it.
	var bytes := JSON.stringify(data).to_utf8_buffer().size()
	if bytes > MAX_DATA_BYTES:
		return "data takes %d bytes as JSON, more than %d" % [bytes, MAX_DATA_BYTES]
	return _text_problem(data, "data")


# Depth counts containers: `data` itself is 1. A Dictionary that holds
# itself nests without end, so the depth limit also stops a cycle.
static func _shape_problem(value: Variant, path: String, depth: int) -> String:
	if not (typeof(value) in JSON_TYPES):
		var kind := type_string(typeof(value))
		return "%s is a %s, which JSON cannot hold; convert it first" % [path, kind]
	if value is Dictionary or value is Array:
		if depth > MAX_DATA_DEPTH:
			return "data nests deeper than %d levels" % MAX_DATA_DEPTH
	if value is Dictionary:
		return _dictionary_problem(value, path, depth)
	if value is Array:
		for index in value.size():
			var found := _shape_problem(value[index], "%s[%d]" % [path, index], depth + 1)
			if not found.is_empty():
				return found
		return ""
	return _number_problem(value, path)


static func _dictionary_problem(value: Dictionary, path: String, depth: int) -> String:
	for key in value:
		var name := str(key)
		if name == "__proto__":
			return "a key in %s is __proto__, which the server refuses" % path
		var child: Variant = value[key]
		if name == "constructor" and child is Dictionary and child.has("prototype"):
			return "%s.constructor has a prototype key, which the server refuses" % path
		var found := _shape_problem(child, "%s.%s" % [path, name], depth + 1)
		if not found.is_empty():
			return found
	return ""


static func _number_problem(value: Variant, path: String) -> String:
	if value is float:
		if is_nan(value) or is_inf(value):
			return "%s is %s, which JSON cannot hold" % [path, str(value)]
		if value == floorf(value) and absf(value) > float(MAX_SAFE_INTEGER):
			return "%s %s" % [path, UNSAFE_INTEGER]
	elif value is int and (value > MAX_SAFE_INTEGER or value < -MAX_SAFE_INTEGER):
		return "%s %s" % [path, UNSAFE_INTEGER]
	return ""


# Runs after the size check, so it reads at most about 10 000 characters.
static func _text_problem(value: Variant, path: String) -> String:
	if value is String or value is StringName:
		return _string_problem(str(value), path)
	if value is Array:
		for index in value.size():
			var found := _text_problem(value[index], "%s[%d]" % [path, index])
			if not found.is_empty():
				return found
	elif value is Dictionary:
		for key in value:
			var name := str(key)
			var found := _string_problem(name, "a key in %s" % path)
			if found.is_empty():
				found = _text_problem(value[key], "%s.%s" % [path, name])
			if not found.is_empty():
				return found
	return ""


# A Godot String holds code points, not UTF-16, so a lone surrogate can
# only appear as a code point from U+D800 to U+DFFF (String.chr(0xD800),
# say); it has no valid UTF-8 form, and the server refuses a body that is
# not valid UTF-8.
static func _string_problem(text: String, path: String) -> String:
	for index in text.length():
		var code := text.unicode_at(index)
		if code == 0:
			return "%s holds a NUL character" % path
		if code >= 0xD800 and code <= 0xDFFF:
			return "%s holds a lone surrogate (U+%04X), which is not text" % [path, code]
		if code > 0x10FFFF:
			return "%s holds U+%X, beyond Unicode" % [path, code]
		if code < 0x20 and not (code in ESCAPED_CONTROLS):
			var control := "the control character U+%04X" % code
			return "%s holds %s, which Godot cannot write as JSON" % [path, control]
	return ""
