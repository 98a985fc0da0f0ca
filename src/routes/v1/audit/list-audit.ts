import Type from 'typebox';

import { listAudit } from '../../../data/audit-log.js';
import { errors, IdText, parseId, Timestamp } from '../../../schemas/common.js';
import { adminRoles, type App, type RouteDeps } from '../../types.js';
import { StudyId } from '../studies/study-routes.js';

const Query = Type.Object(
  {
    study_id: Type.Optional(StudyId),
    after_id: Type.Optional(IdText),
    limit: Type.Optional(
      Type.String({
        pattern: '^(1000|[1-9][0-9]{0,2})$',
        description: 'an integer from 1 to 1000 (default 100)',
      }),
    ),
  },
  { additionalProperties: false },
);

const Record = Type.Object({
  id: Type.Integer(),
  at: Timestamp,
  actor: Type.String(),
  key_id: Type.Union([Type.Integer(), Type.Null()]),
  action: Type.String(),
  study_id: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
});

export function listAuditRoute(app: App, { db }: RouteDeps): void {
  app.get(
    '/api/v1/audit',
    {
      config: { roles: adminRoles },
      schema: {
        summary: 'The audit trail, oldest first',
        description: 'Page with after_id. `webtics audit verify` checks the hash chain.',
        tags: ['admin'],
        querystring: Query,
        response: { 200: Type.Object({ records: Type.Array(Record) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const afterText = request.query.after_id;
      const records = await listAudit(db, {
        studyId: request.query.study_id,
        afterId: afterText === undefined ? undefined : parseId(afterText, 'after_id'),
        limit: Number(request.query.limit ?? '100'),
      });
      return {
        records: records.map((record) => ({
          id: record.id,
          at: record.at.toISOString(),
          actor: record.actor,
          key_id: record.keyId,
          action: record.action,
          study_id: record.studyId,
          details: record.details,
        })),
      };
    },
  );
}
