extends RefCounted
## Speaks HTTP to one WebTics server: adds the headers, retries what a retry
## can fix, and turns a failed answer into the Dictionary that the SDK's
## request_failed signal carries.
##
## [codeblock]
## var answer := await api.request("POST", "/api/v1/sessions", body)
## if ApiClient.succeeded(answer): ...
## [/codeblock]

const RetryPolicy := preload("retry_policy.gd")
const WireValues := preload("wire_values.gd")

var base_url: String
var api_key: String
## Any object with send(method, url, headers, body) -> Dictionary, awaited.
var transport: Object
var retry: RetryPolicy
## How far the device's wall clock runs ahead, in ms (the SDK's
## wall_clock_offset_ms): X-Client-Sent-At is read from that clock.
var clock_offset_ms := 0.0

var _host: Node


func _init(host: Node, url: String, key: String, sender: Object, policy: RetryPolicy) -> void:
	_host = host
	base_url = url.rstrip("/")
	api_key = key
	transport = sender
	retry = policy


## Sends a request, retries it while RetryPolicy.action_for() says "retry"
## and attempts are left, and returns the last answer. Options:
## "sent_at" (bool) adds X-Client-Sent-At, stamped anew for every attempt;
## "key" (bool, true by default) adds X-API-Key; "retry_only" (Array of
## statuses) retries only those, for requests that must not be repeated
## once the server may have acted on them; "retry_foreign_413" (bool)
## also retries a 413 that is not the server's own (for a request that
## cannot be split: one event, a close); "expect" ("batch_result" or
## "created") marks a 2xx whose body is not that as "bad_answer" (see
## checked()).
func request(method: String, path: String, body: Variant = null, options := {}) -> Dictionary:
	var text := _body_text(method, body)
	var answer := {}
	for attempt in range(1, retry.max_attempts + 1):
		var sent: Dictionary = await transport.send(
			method, base_url + path, _headers(method, options), text
		)
		answer = checked(sent, str(options.get("expect", "")))
		if attempt == retry.max_attempts or not _worth_retrying(answer, options):
			break
		var server_wait := RetryPolicy.retry_after_ms(answer)
		if server_wait > retry.max_retry_after_ms:
			break
		await _wait_ms(retry.delay_ms(attempt, server_wait))
	return answer


## True for an answer with a 2xx status that is what the request expects.
static func succeeded(answer: Dictionary) -> bool:
	var status: int = answer["status"]
	if answer["network_error"] or answer.get("bad_answer", false):
		return false
	return status >= 200 and status < 300


## The answer, marked "bad_answer" when it is a 2xx but not what `expect`
## names: "batch_result" ({"stored": number, "rejected": Array}) or
## "created" (a Dictionary with a numeric "id"). A captive portal or a
## proxy may answer 200 with a page or JSON of its own: nothing then says
## the events were stored or the session opened, so the request is sent
## again.
static func checked(answer: Dictionary, expect: String) -> Dictionary:
	if expect.is_empty() or not succeeded(answer) or _is_expected(answer["body"], expect):
		return answer
	var marked := answer.duplicate()
	marked["bad_answer"] = true
	return marked


static func _is_expected(body: Variant, expect: String) -> bool:
	if expect == "batch_result":
		return is_batch_result(body)
	if expect == "created":
		return body is Dictionary and (body.get("id") is int or body.get("id") is float)
	return true


## True for the body of a batch the server took: {"stored", "rejected", …}.
static func is_batch_result(body: Variant) -> bool:
	if not (body is Dictionary):
		return false
	var stored: Variant = body.get("stored")
	return (stored is int or stored is float) and body.get("rejected") is Array


## What went wrong, for the request_failed signal. It never holds the
## request's body, so no withdrawal code or event payload leaks into logs.
static func error_of(answer: Dictionary, path: String) -> Dictionary:
	var details: Dictionary = {}
	var body: Variant = answer["body"]
	if RetryPolicy.is_server_error_body(answer):
		details = body["error"]
	var status: int = answer["status"]
	var no_answer: bool = answer["network_error"]
	var code := "network_error" if no_answer else "http_error"
	var fallback := "no answer" if no_answer else "the server answered %d" % status
	if answer.get("bad_answer", false):
		code = "bad_answer"
		fallback = "the answer (%d) was not the expected result; it is sent again" % status
	return {
		"path": path.get_slice("?", 0),
		"status": status,
		"code": details.get("code", code),
		"message": details.get("message", answer.get("message", fallback)),
		"field": details.get("field", ""),
		"rule": details.get("rule", ""),
		"retryable": RetryPolicy.is_retryable(answer),
		"retry_after_ms": RetryPolicy.retry_after_ms(answer),
		"request_id": _request_id_text(answer),
	}


func _worth_retrying(answer: Dictionary, options: Dictionary) -> bool:
	if options.has("retry_only"):
		return not answer["network_error"] and answer["status"] in options["retry_only"]
	if options.get("retry_foreign_413", false) and RetryPolicy.is_foreign_too_large(answer):
		return true
	return RetryPolicy.is_retryable(answer)


# The request id of the body or the X-Request-Id header, "" when neither has one.
static func _request_id_text(answer: Dictionary) -> String:
	var id: Variant = RetryPolicy.request_id_of(answer)
	return str(id) if id is String else ""


func _headers(method: String, options: Dictionary) -> PackedStringArray:
	var headers := PackedStringArray()
	if options.get("key", true):
		headers.append("X-API-Key: " + api_key)
	if method != "GET":
		headers.append("Content-Type: application/json")
	if options.get("sent_at", false):
		headers.append("X-Client-Sent-At: " + WireValues.iso_now(clock_offset_ms))
	return headers


func _body_text(method: String, body: Variant) -> String:
	if method == "GET":
		return ""
	return JSON.stringify({} if typeof(body) == TYPE_NIL else body)


func _wait_ms(ms: float) -> void:
	# Runs while the game is paused and ignores Engine.time_scale.
	await _host.get_tree().create_timer(ms / 1000.0, true, false, true).timeout
