import Type from 'typebox';

import { assertStudyAccess } from '../../../auth/principal.js';
import { createPlaySession, getMetricSession } from '../../../data/sessions.js';
import { ConflictError } from '../../../errors.js';
import { principalOf } from '../../../http/authenticate.js';
import { errors } from '../../../schemas/common.js';
import { PlaySessionBody, playSessionBody } from '../../../schemas/wire.js';
import { requireOpenStudy } from '../../../services/study-gate.js';
import { ingestRoles, type App, type RouteDeps } from '../../types.js';

const Body = Type.Object(
  {
    metric_session_id: Type.Integer({
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'The metric session this attempt belongs to',
    }),
  },
  { additionalProperties: false },
);

export function createPlaySessionRoute(app: App, { db }: RouteDeps): void {
  app.post(
    '/api/v1/play-sessions',
    {
      config: { roles: ingestRoles },
      schema: {
        summary: 'Start a play session: one attempt inside a metric session',
        tags: ['ingest'],
        body: Body,
        response: { 201: PlaySessionBody, ...errors(400, 401, 403, 404, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const session = await getMetricSession(db, request.body.metric_session_id);
      assertStudyAccess(principalOf(request), session.studyId);
      await requireOpenStudy(db, session.studyId);
      if (session.closedAt !== null) {
        throw new ConflictError('session_closed', `session ${session.id} is closed`);
      }

      const playSession = await createPlaySession(db, session.id);
      return reply.status(201).send(playSessionBody(playSession));
    },
  );
}
