import Type from 'typebox';

import { auditActor } from '../../../auth/principal.js';
import { recordAudit } from '../../../data/audit-log.js';
import { closeStudy, updateStudy } from '../../../data/studies.js';
import { principalOf } from '../../../http/authenticate.js';
import { errors } from '../../../schemas/common.js';
import { StudyBody, studyBody } from '../../../schemas/wire.js';
import { adminRoles, type App, type RouteDeps } from '../../types.js';
import { changedFields, fieldsFrom, StudyFieldsBody } from './study-fields.js';
import { StudyId } from './study-routes.js';

const Params = Type.Object({ study_id: StudyId }, { additionalProperties: false });
const Body = Type.Object(StudyFieldsBody, { additionalProperties: false, minProperties: 1 });

export function updateStudyRoutes(app: App, { db }: RouteDeps): void {
  app.patch(
    '/api/v1/studies/:study_id',
    {
      config: { roles: adminRoles },
      schema: {
        summary: "Change a study's fields",
        description: 'Fields left out stay as they are; null clears an optional field.',
        tags: ['admin'],
        params: Params,
        body: Body,
        response: { 200: StudyBody, ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request) => {
      const studyId = request.params.study_id;
      const study = await db.transaction().execute(async (trx) => {
        const updated = await updateStudy(trx, studyId, fieldsFrom(request.body));
        const fields = changedFields(request.body);
        await recordAudit(trx, {
          ...auditActor(principalOf(request)),
          action: 'study.update',
          studyId,
          details: { fields },
        });
        return updated;
      });
      return studyBody(study);
    },
  );

  app.post(
    '/api/v1/studies/:study_id/close',
    {
      config: { roles: adminRoles },
      schema: {
        summary: 'Close a study: it takes no new sessions, events or consents',
        description: 'Its data stays readable and exportable. Closing twice keeps the first time.',
        tags: ['admin'],
        params: Params,
        response: { 200: StudyBody, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const studyId = request.params.study_id;
      const study = await db.transaction().execute(async (trx) => {
        const closed = await closeStudy(trx, studyId);
        await recordAudit(trx, {
          ...auditActor(principalOf(request)),
          action: 'study.close',
          studyId,
        });
        return closed;
      });
      return studyBody(study);
    },
  );
}
