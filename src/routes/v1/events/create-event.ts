import { findEventByClientId, ingestEvents } from '../../../data/events.js';
import { errors } from '../../../schemas/common.js';
import { EventBody, eventBody } from '../../../schemas/wire.js';
import { ajv, firstIssue, toValidationError } from '../../../validation/ajv.js';
import { checkEvent, EventInput } from '../../../validation/event.js';
import { ingestRoles, type App, type RouteDeps } from '../../types.js';
import {
  IngestQuery,
  readArrival,
  resolveIngestTarget,
  SentAtHeaders,
  sentAtDescription,
} from './ingest-target.js';

const validateIngestQuery = ajv.compile(IngestQuery);

export function createEventRoute(app: App, { db }: RouteDeps): void {
  app.post(
    '/api/v1/events',
    {
      config: { roles: ingestRoles },
      // The body is checked in the handler by the same rules as a batch item,
      // so that a refused event is also kept as a rejected-event record.
      attachValidation: true,
      schema: {
        summary: 'Store one event',
        description:
          'Answers 201 with the stored event, or 200 with the earlier one when its ' +
          'client_event_id was already stored (a retry). A refused event gets a 400 and is ' +
          'kept as a rejected-event record; a request refused as a whole (a bad query or ' +
          'X-Client-Sent-At) is not. ' +
          sentAtDescription,
        tags: ['ingest'],
        querystring: IngestQuery,
        headers: SentAtHeaders,
        body: EventInput,
        response: { 200: EventBody, 201: EventBody, ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      // Fastify stops at the first failing part and checks the body before the
      // query; the query decides where a rejection is recorded, so check it here.
      const queryIssue = firstIssue(validateIngestQuery, request.query);
      if (queryIssue !== undefined) throw toValidationError(queryIssue);
      const schemaError = request.validationError;
      if (schemaError !== undefined && schemaError.validationContext !== 'body') throw schemaError;
      const arrival = readArrival(request, reply);
      const target = await resolveIngestTarget(db, request, request.query.play_session_id);
      const check = checkEvent(request.body, Date.now(), arrival.clock);
      if (!check.ok) {
        const rejected = [{ index: null, issue: check.issue, payload: request.body }];
        await ingestEvents(db, target, { valid: [], rejected, arrival });
        throw toValidationError(check.issue);
      }

      const result = await ingestEvents(db, target, {
        valid: [check.event],
        rejected: [],
        arrival,
      });
      const stored = result.stored[0];
      if (stored !== undefined) return reply.status(201).send(eventBody(stored));
      const earlier = await findEventByClientId(
        db,
        target.playSessionId,
        check.event.clientEventId!,
      );
      return reply.status(200).send(eventBody(earlier!));
    },
  );
}
