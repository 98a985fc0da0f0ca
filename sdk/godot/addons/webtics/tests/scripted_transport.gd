extends RefCounted
## A transport that answers from a wire fixture instead of the network. It
## takes the fixture's exchanges in order: each request the SDK makes is
## checked against the next exchange's request, and the SDK gets that
## exchange's response. It has the same send() as HttpTransport. An
## exchange's "server" and "reached_server" concern only the server's replay
## of the fixtures: to the SDK a lost answer is a cut connection either way.
## Every answer gets an X-Request-Id header ("fixture-N", N the exchange's
## index from 0) unless the fixture gives its own, as the web runner adds.
##
## NEVER EXECUTED: written for Godot 4, which could not run where it was
## written. See the addon README.

const FixtureMatcher := preload("fixture_matcher.gd")

## What went wrong, one line each; empty when the SDK kept to the fixture.
var problems: Array[String] = []

var _exchanges: Array
var _matcher: FixtureMatcher
var _base_url: String
var _tree: SceneTree
var _next := 0
var _last_answer_msec := -1


func _init(exchanges: Array, matcher: FixtureMatcher, base_url: String, tree: SceneTree) -> void:
	_exchanges = exchanges
	_matcher = matcher
	_base_url = base_url.rstrip("/")
	_tree = tree


## How many exchanges the SDK has not reached yet.
func remaining() -> int:
	return _exchanges.size() - _next


func send(method: String, url: String, headers: PackedStringArray, body: String) -> Dictionary:
	# An answer never comes in the same frame as its request, as with HTTP.
	await _tree.process_frame
	if _next >= _exchanges.size():
		problems.append("an unexpected request: %s %s" % [method, url])
		return _cut_answer()

	var index := _next
	var exchange: Dictionary = _exchanges[index]
	var where := "exchange %d (%s)" % [index + 1, exchange.get("note", "")]
	_next += 1
	_check_wait(exchange, where)
	_check_request(exchange.get("request", {}), method, url, headers, body, where)
	var answer := _answer(exchange.get("response", {}), index)
	_last_answer_msec = Time.get_ticks_msec()
	return answer


func _check_wait(exchange: Dictionary, where: String) -> void:
	if not exchange.has("min_wait_ms") or _last_answer_msec < 0:
		return
	var waited := Time.get_ticks_msec() - _last_answer_msec
	if waited < float(exchange["min_wait_ms"]):
		var wait := [where, waited, int(exchange["min_wait_ms"])]
		problems.append("%s: sent after %d ms, before min_wait_ms %d" % wait)


func _check_request(
	expected: Dictionary,
	method: String,
	url: String,
	headers: PackedStringArray,
	body: String,
	where: String,
) -> void:
	var actual := {
		"method": method,
		"path": url.trim_prefix(_base_url),
		"headers": _header_map(headers),
		"body": JSON.parse_string(body) if not body.is_empty() else null,
	}
	for key in expected:
		_matcher.check(expected[key], actual.get(key), "%s %s" % [where, key], problems)


# The fixture's answer, with an x-request-id header unless the fixture gives
# one: the server names every answer by its request id, injected answers
# stand for the server's, and the SDK takes an error body for the server's
# only with an id (RetryPolicy.is_server_error_body). As the web runner does.
func _answer(response: Dictionary, index: int) -> Dictionary:
	if response.get("network_error", false):
		return _cut_answer()

	var body: Variant = _matcher.filled(response.get("body"))
	var headers := {"x-request-id": "fixture-%d" % index}
	var given: Dictionary = response.get("headers", {})
	for name in given:
		headers[str(name).to_lower()] = str(_matcher.filled(given[name]))
	return {
		"network_error": false,
		"result": HTTPRequest.RESULT_SUCCESS,
		"status": int(response.get("status", 200)),
		"headers": headers,
		"text": "" if typeof(body) == TYPE_NIL else JSON.stringify(body),
		"body": body,
	}


func _cut_answer() -> Dictionary:
	return {
		"network_error": true,
		"result": HTTPRequest.RESULT_CONNECTION_ERROR,
		"status": 0,
		"headers": {},
		"text": "",
		"body": null,
		"message": "the fixture cut the connection",
	}


func _header_map(lines: PackedStringArray) -> Dictionary:
	var map := {}
	for line in lines:
		var colon := line.find(":")
		map[line.substr(0, colon).strip_edges().to_lower()] = line.substr(colon + 1).strip_edges()
	return map
