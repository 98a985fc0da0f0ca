/**
 * The default event catalogue for cognitive tasks. Types 0–99 are free for
 * general game events and 900–999 for a study's own events.
 *
 * @example
 * client.log(EventType.CORRECT_RESPONSE, { magnitude: 412.5 });
 */
export const EventType = {
  /** The task begins. */
  TASK_START: 100,
  /** A stimulus is shown; put its position in `x`/`y`. */
  TRIAL_START: 101,
  /** A correct response; `magnitude` (required) is the reaction time in ms, 0–10000. */
  CORRECT_RESPONSE: 102,
  /** A wrong response; `magnitude` (required) is the reaction time in ms, 0–10000. */
  INCORRECT_RESPONSE: 103,
  /** The task ends; `magnitude` (required) is the accuracy in percent, 0–100. */
  TASK_COMPLETE: 104,
  /** A score for the task; `magnitude` (required) is a percentage, 0–100. */
  TASK_SCORE: 105,
  /** No response within the window; `magnitude` (optional) is the window in ms. */
  RESPONSE_TIMEOUT: 106,
  /** A response before the stimulus appeared; no magnitude. */
  PREMATURE_RESPONSE: 107,
} as const;

/** One of the catalogue's event type numbers. */
export type CatalogueEventType = (typeof EventType)[keyof typeof EventType];
