import { sql } from 'kysely';
import Type from 'typebox';

import { assertStudyAccess } from '../../../auth/principal.js';
import { consentStats } from '../../../data/consents.js';
import { getStudy } from '../../../data/studies.js';
import { principalOf } from '../../../http/authenticate.js';
import { errors } from '../../../schemas/common.js';
import { readerRoles, type App, type RouteDeps } from '../../types.js';
import { StudyId } from '../studies/study-routes.js';

const Reply = Type.Object({
  study_id: Type.String(),
  consented: Type.Integer({ description: 'consents ever recorded' }),
  active: Type.Integer({ description: 'consents not withdrawn' }),
  withdrawn: Type.Integer(),
  sessions: Type.Integer(),
  play_sessions: Type.Integer(),
  events: Type.Integer(),
  rejected_events: Type.Integer(),
});

export function studyStatsRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/api/v1/research/study/:study_id/stats',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'Counts of a study: consents, sessions, events, rejected events',
        tags: ['research'],
        params: Type.Object({ study_id: StudyId }, { additionalProperties: false }),
        response: { 200: Reply, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const studyId = request.params.study_id;
      assertStudyAccess(principalOf(request), studyId);
      await getStudy(db, studyId);

      const counts = await db
        .selectFrom('metric_sessions as m')
        .leftJoin('play_sessions as p', 'p.metric_session_id', 'm.id')
        .select([
          sql<number>`count(distinct m.id)::int`.as('sessions'),
          sql<number>`count(p.id)::int`.as('play_sessions'),
        ])
        .where('m.study_id', '=', studyId)
        .executeTakeFirstOrThrow();
      const events = await db
        .selectFrom('events as e')
        .innerJoin('play_sessions as p', 'p.id', 'e.play_session_id')
        .innerJoin('metric_sessions as m', 'm.id', 'p.metric_session_id')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('m.study_id', '=', studyId)
        .executeTakeFirstOrThrow();
      const rejected = await db
        .selectFrom('rejected_events')
        .select(sql<number>`count(*)::int`.as('n'))
        .where('study_id', '=', studyId)
        .executeTakeFirstOrThrow();
      return {
        study_id: studyId,
        ...(await consentStats(db, studyId)),
        ...counts,
        events: events.n,
        rejected_events: rejected.n,
      };
    },
  );
}
