import type { Static } from 'typebox';
import Type from 'typebox';

import { ajv, firstIssue, type Issue } from './ajv.js';
import { magnitudeRules } from './catalogue.js';
import { jsonDepth } from './json-guard.js';
import {
  checkEventTime,
  parseClientClock,
  parseTimestamp,
  type TimestampResult,
} from './timestamp.js';

export const maxDataBytes = 10_240;
export const maxDataDepth = 32;
export const maxBatchSize = 1000;
export const maxSequence = 2_147_483_647;
export const maxMonotonicMs = 1e12;

const coordinate = (name: string) =>
  Type.Optional(
    Type.Union([Type.Number({ minimum: -10_000, maximum: 10_000 }), Type.Null()], {
      description: `${name} coordinate in game units, −10000…10000`,
    }),
  );

export const EventInput = Type.Object(
  {
    event_type: Type.Integer({ minimum: 0, maximum: 999, description: 'Event type, 0–999' }),
    event_subtype: Type.Optional(
      Type.Union([Type.Integer({ minimum: 0, maximum: 999 }), Type.Null()], {
        description: 'Event subtype, 0–999',
      }),
    ),
    x: coordinate('x'),
    y: coordinate('y'),
    z: coordinate('z'),
    magnitude: Type.Optional(
      Type.Union([Type.Number(), Type.Null()], {
        description:
          'Meaning depends on the type: reaction time in ms (102, 103, 0–10000), ' +
          'percent (104, 105, 0–100). Required for those types; absent or null is stored as NULL.',
      }),
    ),
    data: Type.Optional(
      Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()], {
        description: `Free JSON object, at most ${maxDataBytes} bytes as UTF-8 JSON and ${maxDataDepth} levels deep`,
      }),
    ),
    timestamp: Type.String({
      description:
        'When it happened on the client: ISO 8601 with a zone, from 2000 on, at most 5 minutes ' +
        'ahead of the server. Kept to the millisecond.',
      examples: ['2026-03-01T12:00:00.000Z'],
    }),
    client_event_id: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'Client-made UUID; a retried event with the same id is a duplicate, not a new row',
      }),
    ),
    sequence: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: maxSequence,
        description:
          'Counts up from 1 within the play session, in the order the game logged its events; ' +
          'gaps show in the completeness report',
      }),
    ),
    monotonic_ms: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: maxMonotonicMs,
        description:
          'Milliseconds since the play session started, from a clock that never jumps ' +
          '(performance.now(), Time.get_ticks_msec()); fractions are kept',
      }),
    ),
  },
  { additionalProperties: false, $id: 'EventInput' },
);

export type EventInput = Static<typeof EventInput>;

/** An event that passed every rule, ready to store. */
export interface ValidEvent {
  eventType: number;
  eventSubtype: number | null;
  x: number | null;
  y: number | null;
  z: number | null;
  magnitude: number | null;
  data: Record<string, unknown> | null;
  clientTime: Date;
  clientEventId: string | null;
  sequence: number | null;
  monotonicMs: number | null;
  /** The event's time on the server's clock: clientTime less the client's clock offset. */
  correctedTime: Date;
}

/** How far the client's clock is from the server's, as learnt from X-Client-Sent-At. */
export interface ClockReport {
  clientSentAt: Date;
  receivedAt: Date;
  /** clientSentAt − receivedAt, in ms; positive when the client's clock is ahead. */
  offsetMs: number;
}

export type EventCheck = { ok: true; event: ValidEvent } | { ok: false; issue: Issue };

const validateShape = ajv.compile<EventInput>(EventInput);

function checkMagnitude(input: EventInput): Issue | undefined {
  const rule = magnitudeRules.get(input.event_type);
  if (rule === undefined) return undefined;
  const value = input.magnitude;
  if (value === undefined || value === null) {
    return {
      field: 'magnitude',
      rule: 'required',
      message: `is required for event_type ${input.event_type} (${rule.name} in ${rule.unit})`,
    };
  }
  if (value < rule.min || value > rule.max) {
    return {
      field: 'magnitude',
      rule: 'range',
      message: `must be from ${rule.min} to ${rule.max} for event_type ${input.event_type} (${rule.name} in ${rule.unit})`,
    };
  }
  return undefined;
}

function checkData(data: Record<string, unknown> | null | undefined): Issue | undefined {
  if (data === undefined || data === null) return undefined;
  if (Buffer.byteLength(JSON.stringify(data), 'utf8') > maxDataBytes) {
    return {
      field: 'data',
      rule: 'max_bytes',
      message: `must be at most ${maxDataBytes} bytes as JSON`,
    };
  }
  if (jsonDepth(data) > maxDataDepth) {
    return {
      field: 'data',
      rule: 'max_depth',
      message: `must not nest deeper than ${maxDataDepth} levels`,
    };
  }
  return undefined;
}

function toValidEvent(input: EventInput, clientTime: Date, correctedTime: Date): ValidEvent {
  return {
    eventType: input.event_type,
    eventSubtype: input.event_subtype ?? null,
    x: input.x ?? null,
    y: input.y ?? null,
    z: input.z ?? null,
    magnitude: input.magnitude ?? null,
    data: (input.data as Record<string, unknown> | null | undefined) ?? null,
    clientTime,
    clientEventId: input.client_event_id?.toLowerCase() ?? null,
    sequence: input.sequence ?? null,
    monotonicMs: input.monotonic_ms ?? null,
    correctedTime,
  };
}

/**
 * Reads the event's time. With a clock report the time rules apply to the
 * corrected time, so a device whose clock is wrong still has its events
 * accepted, at the right time; without one, to the client's time itself.
 */
function readTimes(
  text: string,
  now: number,
  clock: ClockReport | undefined,
): { ok: true; clientTime: Date; correctedTime: Date } | { ok: false; issue: Issue } {
  const fromClient = clock === undefined ? parseTimestamp(text, now) : parseClientClock(text);
  if (!fromClient.ok) {
    return { ok: false, issue: { field: 'timestamp', ...ruleOf(fromClient) } };
  }
  if (clock === undefined) {
    return { ok: true, clientTime: fromClient.time, correctedTime: fromClient.time };
  }
  const corrected = checkEventTime(fromClient.time.getTime() - clock.offsetMs, now);
  if (!corrected.ok) {
    const { rule, message } = ruleOf(corrected);
    return {
      ok: false,
      issue: {
        field: 'timestamp',
        rule,
        message: `${message} (once corrected by the clock offset from X-Client-Sent-At)`,
      },
    };
  }
  return { ok: true, clientTime: fromClient.time, correctedTime: corrected.time };
}

function ruleOf(result: TimestampResult & { ok: false }): { rule: string; message: string } {
  return { rule: result.rule, message: result.message };
}

/** Applies every event rule: the schema first, then the rules a schema cannot say. */
export function checkEvent(
  raw: unknown,
  now = Date.now(),
  clock: ClockReport | undefined = undefined,
): EventCheck {
  const shapeIssue = firstIssue(validateShape, raw);
  if (shapeIssue !== undefined) return { ok: false, issue: shapeIssue };
  const input = raw as EventInput;

  const times = readTimes(input.timestamp, now, clock);
  if (!times.ok) return times;

  const issue = checkMagnitude(input) ?? checkData(input.data as Record<string, unknown> | null);
  if (issue !== undefined) return { ok: false, issue };
  return { ok: true, event: toValidEvent(input, times.clientTime, times.correctedTime) };
}
