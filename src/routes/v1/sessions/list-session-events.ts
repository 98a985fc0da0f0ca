import Type from 'typebox';

import { assertStudyAccess } from '../../../auth/principal.js';
import { listSessionEvents } from '../../../data/events.js';
import { getMetricSession } from '../../../data/sessions.js';
import { principalOf } from '../../../http/authenticate.js';
import { errors, IdParams, IdText, parseId } from '../../../schemas/common.js';
import { EventBody, eventBody } from '../../../schemas/wire.js';
import { readerRoles, type App, type RouteDeps } from '../../types.js';

const Query = Type.Object(
  {
    limit: Type.Optional(
      Type.String({
        pattern: '^(1000|[1-9][0-9]{0,2})$',
        description: 'an integer from 1 to 1000 (default 100)',
      }),
    ),
    before_id: Type.Optional(IdText),
  },
  { additionalProperties: false },
);

const Reply = Type.Object({
  events: Type.Array(EventBody),
  next_before_id: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Pass as before_id to read the next, older page; null at the end',
  }),
});

export function listSessionEventsRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/api/v1/sessions/:id/events',
    {
      config: { roles: readerRoles },
      schema: {
        summary: "A session's events, newest first",
        tags: ['read'],
        params: IdParams,
        querystring: Query,
        response: { 200: Reply, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const id = parseId(request.params.id, 'id');
      const limit = Number(request.query.limit ?? '100');
      const beforeText = request.query.before_id;
      const beforeId = beforeText === undefined ? undefined : parseId(beforeText, 'before_id');
      const session = await getMetricSession(db, id);
      assertStudyAccess(principalOf(request), session.studyId);

      const events = await listSessionEvents(db, id, { limit, beforeId });
      const last = events.at(-1);
      const nextBeforeId = events.length === limit && last !== undefined ? last.id : null;
      return { events: events.map(eventBody), next_before_id: nextBeforeId };
    },
  );
}
