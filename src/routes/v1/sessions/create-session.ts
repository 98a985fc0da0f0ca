import Type from 'typebox';

import { principalOf } from '../../../http/authenticate.js';
import { assertStudyAccess } from '../../../auth/principal.js';
import { createMetricSession } from '../../../data/sessions.js';
import { ValidationError } from '../../../errors.js';
import { errors } from '../../../schemas/common.js';
import { SessionBody, sessionBody } from '../../../schemas/wire.js';
import { requireConsentFor, requireOpenStudy } from '../../../services/study-gate.js';
import { ingestRoles, type App, type RouteDeps } from '../../types.js';

const safeText = (maxLength: number, description: string) =>
  Type.String({ minLength: 1, maxLength, pattern: '^[A-Za-z0-9_.-]+$', description });

const Body = Type.Object(
  {
    unique_id: safeText(
      100,
      'the player or participant pseudonym: 1–100 letters, digits, _, - or .',
    ),
    build_number: Type.String({
      maxLength: 50,
      pattern: '^[A-Za-z0-9_.-]*$',
      description: 'the game build: up to 50 letters, digits, _, - or .',
    }),
    study_id: Type.Optional(
      Type.String({
        description: 'Needed with an admin key; an ingest key writes to its own study',
      }),
    ),
  },
  { additionalProperties: false },
);

export function createSessionRoute(app: App, { db }: RouteDeps): void {
  app.post(
    '/api/v1/sessions',
    {
      config: { roles: ingestRoles },
      schema: {
        summary: 'Open a metric session: one run of a game by one player',
        tags: ['ingest'],
        body: Body,
        response: { 201: SessionBody, ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const studyId = request.body.study_id ?? principal.studyId;
      if (studyId === null) {
        throw new ValidationError('study_id', 'required', 'is required with an admin key');
      }
      assertStudyAccess(principal, studyId);
      const study = await requireOpenStudy(db, studyId);
      await requireConsentFor(db, study, request.body.unique_id);

      const session = await createMetricSession(db, {
        studyId,
        uniqueId: request.body.unique_id,
        buildNumber: request.body.build_number,
      });
      return reply.status(201).send(sessionBody(session));
    },
  );
}
