/**
 * The default event catalogue for cognitive tasks, the same numbers as the
 * server's (src/validation/catalogue.ts). Types 0–99 are free for general
 * game events and 900–999 for a study's own events.
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

/**
 * One of the catalogue's event type numbers.
 *
 * @example
 * const type: CatalogueEventType = EventType.TASK_START;
 */
export type CatalogueEventType = (typeof EventType)[keyof typeof EventType];

/**
 * The types whose `magnitude` the server requires, with its range.
 *
 * @example
 * magnitudeRanges[EventType.TASK_COMPLETE]; // { min: 0, max: 100, unit: 'percent' }
 */
export const magnitudeRanges = {
  [EventType.CORRECT_RESPONSE]: { min: 0, max: 10_000, unit: 'ms' },
  [EventType.INCORRECT_RESPONSE]: { min: 0, max: 10_000, unit: 'ms' },
  [EventType.TASK_COMPLETE]: { min: 0, max: 100, unit: 'percent' },
  [EventType.TASK_SCORE]: { min: 0, max: 100, unit: 'percent' },
} as const;

/**
 * The catalogue types that need a magnitude: 102, 103, 104 and 105.
 *
 * @example
 * const type: MagnitudeEventType = EventType.CORRECT_RESPONSE;
 */
export type MagnitudeEventType = keyof typeof magnitudeRanges;

/**
 * What an event may carry besides its type.
 *
 * @example
 * const fields: LogFields = { x: 120, y: 340, data: { trial: 3 } };
 */
export interface LogFields {
  /** 0–999. */
  subtype?: number;
  /** Coordinates in game units, −10000 … 10000. */
  x?: number;
  y?: number;
  z?: number;
  /** Its meaning depends on the type, e.g. a reaction time in ms. */
  magnitude?: number;
  /** A JSON object of at most 10 KB. */
  data?: Record<string, unknown>;
  /** When it happened on the wall clock; now by default. */
  at?: Date;
  /**
   * When it happened on the `performance.now()` clock, e.g. a DOM event's
   * `timeStamp`; now by default. Sets `monotonic_ms` exactly, without the
   * delay between the input and the call to `log()`.
   */
  monotonicAt?: number;
}

/**
 * The arguments `log()` takes after the type: for 102–105 the fields are
 * required and must hold a magnitude, so a missing reaction time is a compile
 * error, not a rejected event.
 *
 * @example
 * function logAll<T extends number>(type: T, ...args: LogArguments<T>) { client.log(type, ...args); }
 */
export type LogArguments<T extends number> = number extends T
  ? [fields?: LogFields]
  : T extends MagnitudeEventType
    ? [fields: LogFields & { magnitude: number }]
    : [fields?: LogFields];
