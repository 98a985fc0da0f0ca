import Type from 'typebox';

import { ValidationError } from '../errors.js';

/** Ids travel in paths and queries as decimal text; parsed by `parseId`, never coerced. */
export const IdText = Type.String({
  pattern: '^[1-9][0-9]{0,15}$',
  description: 'a positive integer id (1, 2, 3 …)',
});

export const IdParams = Type.Object({ id: IdText }, { additionalProperties: false });

/** Turns id text into a number, refusing what is past the largest id the server hands out. */
export function parseId(text: string, field: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id)) {
    throw new ValidationError(field, 'maximum', `must be at most ${Number.MAX_SAFE_INTEGER}`);
  }
  return id;
}

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      field: Type.Optional(Type.String()),
      rule: Type.Optional(Type.String()),
      retryable: Type.Boolean({
        description:
          'true for 429 and 503, which carry Retry-After: send the same request again after ' +
          'that many seconds. false for everything else: a resend gets the same answer.',
      }),
    }),
    request_id: Type.String(),
  },
  { $id: 'ErrorBody', description: 'Every 4xx and 5xx answer has this shape' },
);

export const Timestamp = Type.String({ format: 'date-time' });
export const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

/** Error answers a route may give, for its response schema and the OpenAPI document. */
export function errors(...statuses: number[]): Record<number, typeof ErrorBody> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBody]));
}

export function iso(date: Date | null): string | null {
  return date === null ? null : date.toISOString();
}

/** Free text people read in listings: 1–200 characters, no control characters. */
export const Label = Type.String({
  minLength: 1,
  maxLength: 200,
  pattern: '^[^\\p{Cc}]+$',
  description: '1–200 characters of text without control characters',
});
