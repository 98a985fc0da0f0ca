extends RefCounted
## Compares what the SDK sent with what a wire fixture expects, by the rules
## in docs/sdk-protocol.md: subset matching for objects, element by element
## for arrays, "{name}" for the run's values and "<kind>" or "<kind:label>"
## for any value of a kind (a label must hold the same value everywhere).
## It also fills in the fixture's answers with the same values.
##
## NEVER EXECUTED: written for Godot 4, which could not run where it was
## written. See the addon README.

const WireValues := preload("../wire_values.gd")

const ISO_TIME := "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$"
const PLACEHOLDER := "\\{([A-Za-z_][A-Za-z0-9_]*)\\}"

## The run's values: api_key, session_id, play_session_id.
var values: Dictionary
## Values captured by "<kind:label>" matchers, by label. A "{name}" looks
## here first, then in `values`, so "{participant}" in a script step is the
## id a consent answer captured with "<any:participant>".
var captures := {}
var _iso_time := RegEx.create_from_string(ISO_TIME)
var _placeholder := RegEx.create_from_string(PLACEHOLDER)


func _init(run_values: Dictionary) -> void:
	values = run_values


## Appends to `problems` every way in which `actual` differs from `expected`;
## `where` names the place, e.g. "exchange 2 body[0].sequence".
func check(expected: Variant, actual: Variant, where: String, problems: Array[String]) -> void:
	if expected is String and _is_matcher(expected):
		_check_matcher(expected, actual, where, problems)
	elif expected is String:
		_check_text(expected, actual, where, problems)
	elif expected is Dictionary:
		_check_object(expected, actual, where, problems)
	elif expected is Array:
		_check_array(expected, actual, where, problems)
	elif not _same(expected, actual):
		problems.append("%s: expected %s, got %s" % [where, _shown(expected), _shown(actual)])


## The fixture's answer with "{name}" and "<kind:label>" replaced by values
## of this run, so the SDK gets the ids it would get from a server.
func filled(template: Variant) -> Variant:
	if template is String and _is_matcher(template):
		return _value_for_matcher(template)
	if template is String:
		return _substituted(template)
	if template is Dictionary:
		var copy := {}
		for key in template:
			copy[key] = filled(template[key])
		return copy
	if template is Array:
		return template.map(filled)
	return template


func _is_matcher(text: String) -> bool:
	return text.begins_with("<") and text.ends_with(">")


func _check_matcher(
	matcher: String, actual: Variant, where: String, problems: Array[String]
) -> void:
	var parts := matcher.substr(1, matcher.length() - 2).split(":", true, 1)
	var kind := parts[0]
	if not _is_kind(kind, actual):
		problems.append("%s: expected %s, got %s" % [where, matcher, _shown(actual)])
		return
	if parts.size() < 2:
		return

	var label := parts[1]
	if not _knows(label):
		captures[label] = actual
	elif not _same(_lookup(label), actual):
		var first := _shown(_lookup(label))
		problems.append("%s: %s was %s before, now %s" % [where, label, first, _shown(actual)])


func _is_kind(kind: String, actual: Variant) -> bool:
	match kind:
		"uuid":
			return actual is String and WireValues.is_uuid(actual)
		"iso-time":
			return actual is String and _iso_time.search(actual) != null
		"number":
			return actual is int or actual is float
		"integer":
			return actual is int or (actual is float and actual == floorf(actual))
		"any":
			return true
	return false


func _check_text(
	expected: String, actual: Variant, where: String, problems: Array[String]
) -> void:
	var wanted: Variant = _substituted(expected)
	if not _same(wanted, actual):
		problems.append("%s: expected %s, got %s" % [where, _shown(wanted), _shown(actual)])


func _check_object(
	expected: Dictionary, actual: Variant, where: String, problems: Array[String]
) -> void:
	if not (actual is Dictionary):
		problems.append("%s: expected an object, got %s" % [where, _shown(actual)])
		return
	for key in expected:
		if actual.has(key):
			check(expected[key], actual[key], "%s.%s" % [where, key], problems)
		else:
			problems.append("%s: %s is missing" % [where, key])


func _check_array(
	expected: Array, actual: Variant, where: String, problems: Array[String]
) -> void:
	if not (actual is Array) or actual.size() != expected.size():
		var size := str(actual.size()) if actual is Array else _shown(actual)
		problems.append("%s: expected %d items, got %s" % [where, expected.size(), size])
		return
	for index in expected.size():
		check(expected[index], actual[index], "%s[%d]" % [where, index], problems)


# "{play_session_id}" alone stands for the value itself (a number stays a
# number); inside longer text it is replaced as text. A name with no value
# stays as it is, and so fails to match.
func _substituted(text: String) -> Variant:
	var whole := _placeholder.search(text)
	if whole != null and whole.get_start() == 0 and whole.get_end() == text.length():
		return _lookup(whole.get_string(1)) if _knows(whole.get_string(1)) else text

	var result := text
	for found in _placeholder.search_all(text):
		if _knows(found.get_string(1)):
			result = result.replace(found.get_string(), _as_text(_lookup(found.get_string(1))))
	return result


# A value for "<kind>" or "<kind:label>" in an answer: the label's value if
# it has one, else a fresh value of that kind, captured under the label, as
# the web SDK's runner makes them ("<any:code>" becomes "code").
func _value_for_matcher(matcher: String) -> Variant:
	var parts := matcher.substr(1, matcher.length() - 2).split(":", true, 1)
	var label := parts[1] if parts.size() == 2 else ""
	if not label.is_empty() and _knows(label):
		return _lookup(label)

	var value: Variant = label if not label.is_empty() else "any"
	match parts[0]:
		"uuid":
			value = WireValues.new_event_id()
		"iso-time":
			value = WireValues.iso_now()
		"number":
			value = 0
		"integer":
			value = 1
	if not label.is_empty():
		captures[label] = value
	return value


func _knows(name: String) -> bool:
	return captures.has(name) or values.has(name)


func _lookup(name: String) -> Variant:
	return captures[name] if captures.has(name) else values.get(name)


# JSON gives Godot floats, so a whole number is written without ".0".
func _as_text(value: Variant) -> String:
	if value is String:
		return value
	if value is float and value == floorf(value):
		return str(int(value))
	return JSON.stringify(value)


# Numbers compare by value (JSON gives Godot floats, the SDK may hold ints);
# everything else by its JSON text.
func _same(expected: Variant, actual: Variant) -> bool:
	if _is_number(expected) and _is_number(actual):
		return float(expected) == float(actual)
	return typeof(expected) == typeof(actual) and JSON.stringify(expected) == JSON.stringify(actual)


func _is_number(value: Variant) -> bool:
	return value is int or value is float


func _shown(value: Variant) -> String:
	return JSON.stringify(value)
