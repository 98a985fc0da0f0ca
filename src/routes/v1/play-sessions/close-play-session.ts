import Type from 'typebox';

import { assertStudyAccess } from '../../../auth/principal.js';
import { closePlaySession, getPlaySessionContext } from '../../../data/sessions.js';
import { principalOf } from '../../../http/authenticate.js';
import { errors, IdParams, parseId } from '../../../schemas/common.js';
import { PlaySessionBody, playSessionBody } from '../../../schemas/wire.js';
import { maxSequence } from '../../../validation/event.js';
import { ingestRoles, type App, type RouteDeps } from '../../types.js';

const Body = Type.Object(
  {
    last_sequence: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: maxSequence,
        description:
          'The highest sequence number the SDK gave out in this play session (0: none), so ' +
          'the completeness report can tell events missing at the end',
      }),
    ),
  },
  { additionalProperties: false },
);

export function closePlaySessionRoute(app: App, { db }: RouteDeps): void {
  app.post(
    '/api/v1/play-sessions/:id/close',
    {
      config: { roles: ingestRoles },
      // v1 clients close with no body at all; that means the same as an empty object.
      preValidation: (request, _reply, done) => {
        request.body ??= {};
        done();
      },
      schema: {
        summary: 'End a play session',
        description:
          'Ending twice is harmless. Events that arrive later (from a queue that was offline) ' +
          'are still accepted: they happened during the attempt. The body is optional.',
        tags: ['ingest'],
        params: IdParams,
        body: Body,
        response: { 200: PlaySessionBody, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const id = parseId(request.params.id, 'id');
      const context = await getPlaySessionContext(db, id);
      assertStudyAccess(principalOf(request), context.studyId);

      const lastSequence = request.body.last_sequence;
      return playSessionBody(await closePlaySession(db, id, lastSequence));
    },
  );
}
