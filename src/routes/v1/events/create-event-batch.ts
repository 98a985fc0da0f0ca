import Type from 'typebox';

import { ingestEvents, type Arrival, type RejectedEvent } from '../../../data/events.js';
import { ValidationError } from '../../../errors.js';
import { errors } from '../../../schemas/common.js';
import type { Issue } from '../../../validation/ajv.js';
import { guardJsonBody } from '../../../validation/json-guard.js';
import { checkEvent, maxBatchSize, type ValidEvent } from '../../../validation/event.js';
import { ingestRoles, type App, type RouteDeps } from '../../types.js';
import {
  IngestQuery,
  readArrival,
  resolveIngestTarget,
  SentAtHeaders,
  sentAtDescription,
} from './ingest-target.js';

const Body = Type.Array(Type.Unknown(), {
  maxItems: maxBatchSize,
  description: `Up to ${maxBatchSize} events, each as for POST /api/v1/events`,
});

const Reply = Type.Object({
  stored: Type.Integer({ description: 'Events newly stored' }),
  duplicates: Type.Integer({ description: 'Events whose client_event_id was already stored' }),
  rejected: Type.Array(
    Type.Object({
      index: Type.Integer({ description: 'Position of the event in the batch, from 0' }),
      field: Type.String(),
      rule: Type.String(),
      message: Type.String(),
    }),
  ),
});

/** The whole-body guard, applied to one event: what it finds refuses only that event. */
function guardItem(item: unknown): Issue | undefined {
  try {
    guardJsonBody(item);
    return undefined;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const { field = 'body', rule = 'invalid' } = error.details;
    return { field, rule, message: error.message.slice(field.length + 2) };
  }
}

function sortEvents(
  items: unknown[],
  arrival: Arrival,
): { valid: ValidEvent[]; rejected: RejectedEvent[] } {
  const now = Date.now();
  const valid: ValidEvent[] = [];
  const rejected: RejectedEvent[] = [];
  items.forEach((item, index) => {
    const unsafe = guardItem(item);
    if (unsafe !== undefined) {
      rejected.push({ index, issue: unsafe, payload: item, keepPayload: false });
      return;
    }
    const check = checkEvent(item, now, arrival.clock);
    if (check.ok) valid.push(check.event);
    else rejected.push({ index, issue: check.issue, payload: item });
  });
  return { valid, rejected };
}

export function createEventBatchRoute(app: App, { db }: RouteDeps): void {
  app.post(
    '/api/v1/events/batch',
    {
      config: { roles: ingestRoles, guardsItems: true },
      schema: {
        summary: 'Store a batch of events, judged one by one',
        description:
          'Valid events are stored and invalid ones reported by index, field and rule (and kept ' +
          'as rejected-event records), in one transaction committed before the answer. A body ' +
          `that is not an array, or holds more than ${maxBatchSize} events, is refused whole. ` +
          sentAtDescription,
        tags: ['ingest'],
        querystring: IngestQuery,
        headers: SentAtHeaders,
        body: Body,
        response: { 200: Reply, ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const arrival = readArrival(request, reply);
      const target = await resolveIngestTarget(db, request, request.query.play_session_id);
      const { valid, rejected } = sortEvents(request.body, arrival);

      const result = await ingestEvents(db, target, { valid, rejected, arrival });
      return {
        stored: result.stored.length,
        duplicates: result.duplicates,
        rejected: rejected.map((item) => ({ index: item.index ?? 0, ...item.issue })),
      };
    },
  );
}
