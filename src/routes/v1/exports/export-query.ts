import Type from 'typebox';

import { ValidationError } from '../../../errors.js';
import type { ExportFilters } from '../../../exports/datasets.js';
import { parseTimestamp } from '../../../validation/timestamp.js';

export const ExportQuery = Type.Object(
  {
    from: Type.Optional(
      Type.String({ description: 'ISO 8601 time with a zone: rows at or after it' }),
    ),
    to: Type.Optional(Type.String({ description: 'ISO 8601 time with a zone: rows before it' })),
    event_type: Type.Optional(
      Type.String({ pattern: '^(0|[1-9][0-9]{0,2})$', description: 'an event type, 0–999' }),
    ),
    build: Type.Optional(
      Type.String({ pattern: '^[A-Za-z0-9_.-]{1,50}$', description: 'a build number' }),
    ),
    participant: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_.-]{1,100}$',
        description: 'a participant id (unique_id)',
      }),
    ),
  },
  { additionalProperties: false },
);

type QueryInput = {
  from?: string;
  to?: string;
  event_type?: string;
  build?: string;
  participant?: string;
};

function time(text: string | undefined, field: string): Date | undefined {
  if (text === undefined) return undefined;
  const result = parseTimestamp(text, Date.now(), Number.MAX_SAFE_INTEGER);
  if (!result.ok) throw new ValidationError(field, result.rule, result.message);
  return result.time;
}

export function filtersFrom(query: QueryInput): ExportFilters {
  return {
    from: time(query.from, 'from'),
    to: time(query.to, 'to'),
    eventType: query.event_type === undefined ? undefined : Number(query.event_type),
    build: query.build,
    participant: query.participant,
  };
}

/** What was asked, for the audit trail and the manifest. */
export function askedFilters(query: QueryInput): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined));
}
