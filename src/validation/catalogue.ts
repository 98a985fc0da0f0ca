/** A default event type whose magnitude has a unit and a range. */
export interface MagnitudeRule {
  name: string;
  unit: string;
  min: number;
  max: number;
}

/**
 * The default event catalogue. Types 0–99 are free for general game events and
 * 900–999 for a study's own; the types below carry a magnitude that is required
 * and range-checked. The web and Godot SDKs use the same numbers.
 */
export const eventCatalogue = {
  TASK_START: 100,
  TRIAL_START: 101,
  CORRECT_RESPONSE: 102,
  INCORRECT_RESPONSE: 103,
  TASK_COMPLETE: 104,
  TASK_SCORE: 105,
  RESPONSE_TIMEOUT: 106,
  PREMATURE_RESPONSE: 107,
} as const;

const reactionTime = { unit: 'ms', min: 0, max: 10_000 };
const percent = { unit: 'percent', min: 0, max: 100 };

export const magnitudeRules: ReadonlyMap<number, MagnitudeRule> = new Map([
  [eventCatalogue.CORRECT_RESPONSE, { name: 'reaction time', ...reactionTime }],
  [eventCatalogue.INCORRECT_RESPONSE, { name: 'reaction time', ...reactionTime }],
  [eventCatalogue.TASK_COMPLETE, { name: 'accuracy', ...percent }],
  [eventCatalogue.TASK_SCORE, { name: 'score', ...percent }],
]);
