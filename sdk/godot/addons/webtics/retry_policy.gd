extends RefCounted
## What to do with an answer, by the table in docs/sdk-protocol.md, and how
## long to wait before a retry: waits grow exponentially with full jitter,
## and never fall short of the server's Retry-After.
##
## [codeblock]
## var policy := RetryPolicy.new({"max_attempts": 5})
## if RetryPolicy.action_for(answer) == "retry":
##     var wait_ms := policy.delay_ms(1, RetryPolicy.retry_after_ms(answer))
## [/codeblock]

## Attempts in all, the first one included.
var max_attempts := 5
## The ceiling of the first backoff, doubled for each retry after.
var base_delay_ms := 500.0
## The highest ceiling a backoff reaches.
var max_delay_ms := 15000.0
## The longest Retry-After worth waiting for inside one call. Asked to wait
## longer, the call gives up at once and the events wait for a later flush,
## which is not sent before that time.
var max_retry_after_ms := 60000.0


## Takes "max_attempts", "base_delay_ms", "max_delay_ms" and
## "max_retry_after_ms" from `options`; the rest keep their defaults.
func _init(options := {}) -> void:
	max_attempts = maxi(1, int(options.get("max_attempts", max_attempts)))
	base_delay_ms = maxf(0.0, float(options.get("base_delay_ms", base_delay_ms)))
	max_delay_ms = maxf(base_delay_ms, float(options.get("max_delay_ms", max_delay_ms)))
	max_retry_after_ms = maxf(0.0, float(options.get("max_retry_after_ms", max_retry_after_ms)))


## "retry" (no answer, 408, 429, 5xx, a 2xx that is not what the request
## expects, or an error body that says retryable), "split" (413, whoever
## sent it: see is_foreign_too_large() for a single event), "pause"
## (401, 403), "gone" (404 from the server) or "refuse" (any other 4xx from
## the server: never send it again). Any other answer that is not the
## server's own error body (is_server_error_body()), such as a proxy's page,
## counts as "retry", so events are never dropped because of it.
static func action_for(answer: Dictionary) -> String:
	var status: int = answer["status"]
	if answer["network_error"] or answer.get("bad_answer", false):
		return "retry"
	if status == 408 or status == 429 or status >= 500:
		return "retry"
	if status == 413:
		return "split"
	if status == 401 or status == 403:
		return "pause"
	if not is_server_error_body(answer):
		return "retry"
	if status == 404:
		return "gone"
	return "retry" if answer["body"]["error"].get("retryable", false) == true else "refuse"


## True for answers that a later attempt may turn into a success.
static func is_retryable(answer: Dictionary) -> bool:
	return action_for(answer) == "retry"


## True when the answer is one of the server's own error bodies: a string
## `error.code` and a request id, either "request_id" (a string) in the body,
## {"error": {"code": "…", …}, "request_id": "…"}, or an X-Request-Id header.
## The server names every answer so. A page or JSON from a proxy, a captive
## portal or a gateway (an S3 gateway's {"error": {"code": "NoSuchKey"}})
## has no request id and is not the server's word. Only the server's own
## body can make the SDK drop events.
static func is_server_error_body(answer: Dictionary) -> bool:
	var body: Variant = answer["body"]
	if not (body is Dictionary and body.get("error") is Dictionary):
		return false
	if not (body["error"].get("code") is String):
		return false
	return request_id_of(answer) is String


## The request id the server gave the answer: "request_id" of the body when
## it is a string, else the X-Request-Id header (headers are kept in lower
## case, "x-request-id"), else null.
static func request_id_of(answer: Dictionary) -> Variant:
	var body: Variant = answer["body"]
	if body is Dictionary and body.get("request_id") is String:
		return body["request_id"]
	var headers: Variant = answer.get("headers", {})
	if headers is Dictionary and headers.get("x-request-id") is String:
		return headers["x-request-id"]
	return null


## True for a 413 that is not the server's own (a proxy's size limit, which
## may be lower than the server's or lifted later). It splits a batch like
## any 413, but a single event stays queued and is tried again: only the
## server's own 413 says an event can never be stored.
static func is_foreign_too_large(answer: Dictionary) -> bool:
	if answer["network_error"] or answer["status"] != 413:
		return false
	return not is_server_error_body(answer)


## The wait the server asked for, in ms, or -1 when it asked for none. The
## server sends whole seconds; a date in the header is not understood and
## counts as none.
static func retry_after_ms(answer: Dictionary) -> float:
	var header: String = answer["headers"].get("retry-after", "")
	if not header.is_valid_float():
		return -1.0
	return maxf(0.0, header.to_float() * 1000.0)


## The wait before retry number `retry` (1 for the first retry): a random
## time up to min(max_delay_ms, base_delay_ms × 2^(retry − 1)), so that
## clients that failed together do not come back together, added to the
## server's Retry-After when it sent one.
func delay_ms(retry: int, server_wait_ms: float) -> float:
	var ceiling := minf(max_delay_ms, base_delay_ms * pow(2.0, retry - 1))
	return maxf(0.0, server_wait_ms) + randf() * ceiling
