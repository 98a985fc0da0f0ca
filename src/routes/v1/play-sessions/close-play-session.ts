import { assertStudyAccess } from '../../../auth/principal.js';
import { closePlaySession, getPlaySessionContext } from '../../../data/sessions.js';
import { principalOf } from '../../../http/authenticate.js';
import { errors, IdParams, parseId } from '../../../schemas/common.js';
import { PlaySessionBody, playSessionBody } from '../../../schemas/wire.js';
import { ingestRoles, type App, type RouteDeps } from '../../types.js';

export function closePlaySessionRoute(app: App, { db }: RouteDeps): void {
  app.post(
    '/api/v1/play-sessions/:id/close',
    {
      config: { roles: ingestRoles },
      schema: {
        summary: 'End a play session',
        description:
          'Ending twice is harmless. Events that arrive later (from a queue that was offline) ' +
          'are still accepted: they happened during the attempt.',
        tags: ['ingest'],
        params: IdParams,
        response: { 200: PlaySessionBody, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const id = parseId(request.params.id, 'id');
      const context = await getPlaySessionContext(db, id);
      assertStudyAccess(principalOf(request), context.studyId);

      return playSessionBody(await closePlaySession(db, id));
    },
  );
}
