extends RefCounted
## Values the wire protocol asks for: random event ids and ISO 8601 times.
## Loaded with preload() by the SDK's scripts, so it needs no class_name.


## A random UUID v4, made once per event so that a resend is recognised by
## the server as a duplicate.
##
## [codeblock]
## var id := WireValues.new_event_id() # "3b241101-e2bb-4255-8caf-4136c566a962"
## [/codeblock]
static func new_event_id() -> String:
	var bytes := Crypto.new().generate_random_bytes(16)
	bytes[6] = (bytes[6] & 0x0f) | 0x40
	bytes[8] = (bytes[8] & 0x3f) | 0x80

	var hex := bytes.hex_encode()
	return "%s-%s-%s-%s-%s" % [
		hex.substr(0, 8),
		hex.substr(8, 4),
		hex.substr(12, 4),
		hex.substr(16, 4),
		hex.substr(20, 12),
	]


## The wall clock now, in UTC with milliseconds: "2026-03-01T12:00:00.123Z",
## moved `ahead_ms` forward (a test's device whose clock runs ahead).
## Time.get_datetime_string_from_system(true) has no milliseconds, so the
## fraction is taken from the same unix time.
##
## [codeblock]
## var sent_at := WireValues.iso_now()
## [/codeblock]
static func iso_now(ahead_ms := 0.0) -> String:
	return iso_from_unix(Time.get_unix_time_from_system() + ahead_ms / 1000.0)


## A unix time in seconds (fractions kept) as ISO 8601 UTC with milliseconds.
static func iso_from_unix(unix_seconds: float) -> String:
	var whole := floori(unix_seconds)
	var millis := clampi(int((unix_seconds - whole) * 1000.0), 0, 999)
	return "%s.%03dZ" % [Time.get_datetime_string_from_unix_time(whole), millis]


## True when the text has the shape of a UUID (any version).
static func is_uuid(text: String) -> bool:
	var pattern := RegEx.create_from_string(
		"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
	)
	return pattern.search(text) != null
