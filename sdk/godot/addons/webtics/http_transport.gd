extends RefCounted
## Sends one HTTP request through an HTTPRequest node and reads the answer.
## The SDK talks only to send(); the fixture runner puts a scripted transport
## with the same method in its place.
##
## [codeblock]
## var answer: Dictionary = await transport.send("GET", url, headers, "")
## if answer["network_error"]: ...
## [/codeblock]

var _host: Node
var _timeout_s: float


func _init(host: Node, timeout_seconds: float) -> void:
	_host = host
	_timeout_s = timeout_seconds


## Sends the request and waits for the answer. Returns a Dictionary:
## "network_error" (no HTTP answer came: refused, cut, timed out), "result"
## (HTTPRequest's result code), "status", "headers" (names in lower case),
## "text" (the body) and "body" (the body parsed as JSON, or null).
func send(method: String, url: String, headers: PackedStringArray, body: String) -> Dictionary:
	var http := HTTPRequest.new()
	http.timeout = _timeout_s
	_host.add_child(http)

	var started := http.request(url, headers, _method_of(method), body)
	if started != OK:
		http.queue_free()
		return _no_answer(HTTPRequest.RESULT_CANT_CONNECT, "the request could not start")

	var reply: Array = await http.request_completed
	http.queue_free()
	var result: int = reply[0]
	if result != HTTPRequest.RESULT_SUCCESS:
		return _no_answer(result, "no answer from the server (HTTPRequest result %d)" % result)

	var text: String = (reply[3] as PackedByteArray).get_string_from_utf8()
	return {
		"network_error": false,
		"result": result,
		"status": int(reply[1]),
		"headers": _header_map(reply[2]),
		"text": text,
		"body": _parsed(text),
	}


# The body as JSON, or null; an HTML error page from a proxy is not an error here.
func _parsed(text: String) -> Variant:
	var json := JSON.new()
	return json.data if json.parse(text) == OK else null


func _no_answer(result: int, message: String) -> Dictionary:
	return {
		"network_error": true,
		"result": result,
		"status": 0,
		"headers": {},
		"text": "",
		"body": null,
		"message": message,
	}


func _header_map(lines: PackedStringArray) -> Dictionary:
	var map := {}
	for line in lines:
		var colon := line.find(":")
		if colon > 0:
			var name := line.substr(0, colon).strip_edges().to_lower()
			map[name] = line.substr(colon + 1).strip_edges()
	return map


func _method_of(method: String) -> HTTPClient.Method:
	match method:
		"GET":
			return HTTPClient.METHOD_GET
		"PUT":
			return HTTPClient.METHOD_PUT
		"DELETE":
			return HTTPClient.METHOD_DELETE
	return HTTPClient.METHOD_POST
