class_name WebTicsEvents
extends RefCounted
## The default event catalogue for cognitive tasks, the same numbers the
## server and the web SDK use. Types 0–99 are free for general game events
## and 900–999 for a study's own events.
##
## [codeblock]
## WebTics.log_event(WebTicsEvents.CORRECT_RESPONSE, {"magnitude": 412.5})
## [/codeblock]

## The task begins.
const TASK_START := 100
## A stimulus is shown; put its position in `x` and `y`.
const TRIAL_START := 101
## A correct response; `magnitude` (required) is the reaction time in ms, 0–10000.
const CORRECT_RESPONSE := 102
## A wrong response; `magnitude` (required) is the reaction time in ms, 0–10000.
const INCORRECT_RESPONSE := 103
## The task ends; `magnitude` (required) is the accuracy in percent, 0–100.
const TASK_COMPLETE := 104
## A score for the task; `magnitude` (required) is a percentage, 0–100.
const TASK_SCORE := 105
## No response within the window; `magnitude` (optional) is the window in ms.
const RESPONSE_TIMEOUT := 106
## A response before the stimulus appeared; no magnitude.
const PREMATURE_RESPONSE := 107

## The types whose magnitude is required, with its meaning, unit and range.
const MAGNITUDE_RULES := {
	CORRECT_RESPONSE: {"name": "reaction time", "unit": "ms", "min": 0, "max": 10000},
	INCORRECT_RESPONSE: {"name": "reaction time", "unit": "ms", "min": 0, "max": 10000},
	TASK_COMPLETE: {"name": "accuracy", "unit": "percent", "min": 0, "max": 100},
	TASK_SCORE: {"name": "score", "unit": "percent", "min": 0, "max": 100},
}


## Why the server would refuse this magnitude for this type, or "" when it
## would not. Only the catalogue's required magnitudes are checked here.
##
## [codeblock]
## WebTicsEvents.magnitude_problem(102, null) # "magnitude is required …"
## [/codeblock]
static func magnitude_problem(event_type: int, magnitude: Variant) -> String:
	if not MAGNITUDE_RULES.has(event_type):
		return ""

	var rule: Dictionary = MAGNITUDE_RULES[event_type]
	var meaning := "%s in %s" % [rule["name"], rule["unit"]]
	if magnitude == null:
		return "magnitude is required for event type %d (%s)" % [event_type, meaning]
	if not (magnitude is int or magnitude is float):
		return "magnitude must be a number for event type %d (%s)" % [event_type, meaning]
	var value := float(magnitude)
	if is_nan(value) or value < rule["min"] or value > rule["max"]:
		return (
			"magnitude must be from %d to %d for event type %d (%s), not %s"
			% [rule["min"], rule["max"], event_type, meaning, str(magnitude)]
		)
	return ""
