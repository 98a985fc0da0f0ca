import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import Type from 'typebox';

import { assertStudyAccess } from '../../../auth/principal.js';
import type { Arrival, IngestTarget } from '../../../data/events.js';
import { getPlaySessionContext } from '../../../data/sessions.js';
import type { Database } from '../../../db/schema.js';
import { principalOf } from '../../../http/authenticate.js';
import { IdText, parseId } from '../../../schemas/common.js';
import { ValidationError } from '../../../errors.js';
import { requireOpenStudy } from '../../../services/study-gate.js';
import { parseClientClock } from '../../../validation/timestamp.js';

export const IngestQuery = Type.Object(
  { play_session_id: IdText },
  { additionalProperties: false },
);

/** Resolves the play session an ingest request writes to, and checks the key may write there. */
export async function resolveIngestTarget(
  db: Kysely<Database>,
  request: FastifyRequest,
  playSessionText: string,
): Promise<IngestTarget> {
  const playSessionId = parseId(playSessionText, 'play_session_id');
  const context = await getPlaySessionContext(db, playSessionId);
  assertStudyAccess(principalOf(request), context.studyId);
  await requireOpenStudy(db, context.studyId);
  return { playSessionId, studyId: context.studyId, buildNumber: context.buildNumber };
}

/** The header in which an SDK says what its wall clock read when it sent the request. */
export const sentAtHeader = 'x-client-sent-at';

/** Declared so the OpenAPI document lists the header; its value is read by readArrival. */
export const SentAtHeaders = Type.Object({
  'x-client-sent-at': Type.Optional(
    Type.String({
      description:
        "The client's wall clock when it sent this request, ISO 8601 with a zone " +
        '(any time from 1970)',
      examples: ['2026-03-01T12:00:00.000Z'],
    }),
  ),
});

export const sentAtDescription =
  "Optional X-Client-Sent-At header: the client's wall clock when it sent this request " +
  '(ISO 8601 with a zone). The server then stores the clock offset and a corrected time ' +
  'for each event, and applies the time rules to the corrected time.';

/**
 * When the request arrived (the moment Fastify began on it, to the ms), and
 * the client's clock report if it sent one. A bad report refuses the request.
 */
export function readArrival(request: FastifyRequest, reply: FastifyReply): Arrival {
  const receivedAt = new Date(Math.round(Date.now() - reply.elapsedTime));
  const header = request.headers[sentAtHeader];
  if (header === undefined) return { receivedAt, clock: undefined };
  // Node joins a repeated header with commas, which no time matches.
  const sent = parseClientClock(String(header));
  if (!sent.ok) throw new ValidationError('X-Client-Sent-At', sent.rule, sent.message);
  const offsetMs = sent.time.getTime() - receivedAt.getTime();
  return { receivedAt, clock: { clientSentAt: sent.time, receivedAt, offsetMs } };
}
