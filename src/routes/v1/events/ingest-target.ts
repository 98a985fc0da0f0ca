import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import Type from 'typebox';

import { assertStudyAccess } from '../../../auth/principal.js';
import type { IngestTarget } from '../../../data/events.js';
import { getPlaySessionContext } from '../../../data/sessions.js';
import type { Database } from '../../../db/schema.js';
import { principalOf } from '../../../http/authenticate.js';
import { IdText, parseId } from '../../../schemas/common.js';
import { requireOpenStudy } from '../../../services/study-gate.js';

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
