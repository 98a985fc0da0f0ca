import { assertStudyAccess } from '../../../auth/principal.js';
import { principalOf } from '../../../http/authenticate.js';
import { closeMetricSession, getMetricSession } from '../../../data/sessions.js';
import { errors, IdParams, parseId } from '../../../schemas/common.js';
import { SessionBody, sessionBody } from '../../../schemas/wire.js';
import { ingestRoles, type App, type RouteDeps } from '../../types.js';

export function closeSessionRoute(app: App, { db }: RouteDeps): void {
  app.post(
    '/api/v1/sessions/:id/close',
    {
      config: { roles: ingestRoles },
      schema: {
        summary: 'Close a metric session and any play session still open in it',
        description: 'Closing twice is harmless: the first closing time is kept.',
        tags: ['ingest'],
        params: IdParams,
        response: { 200: SessionBody, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const id = parseId(request.params.id, 'id');
      const session = await getMetricSession(db, id);
      assertStudyAccess(principalOf(request), session.studyId);

      return sessionBody(await closeMetricSession(db, id));
    },
  );
}
