import Type from 'typebox';

import { principalOf } from '../../../http/authenticate.js';
import { assertStudyAccess } from '../../../auth/principal.js';
import { createStudy, getStudy, listStudies } from '../../../data/studies.js';
import { errors } from '../../../schemas/common.js';
import { StudyBody, studyBody } from '../../../schemas/wire.js';
import { Label } from '../../../schemas/common.js';
import { recordAudit } from '../../../data/audit-log.js';
import { auditActor } from '../../../auth/principal.js';
import { changedFields, fieldsFrom, StudyFieldsBody } from './study-fields.js';
import { studyIdPattern } from '../../../validation/study-id.js';
import { adminRoles, readerRoles, type App, type RouteDeps } from '../../types.js';

export const StudyId = Type.String({
  pattern: studyIdPattern.source,
  description: 'a slug: 1–63 lowercase letters, digits, _ and -, starting with a letter or digit',
});

const CreateBody = Type.Object(
  { ...StudyFieldsBody, id: StudyId, title: Label },
  { additionalProperties: false },
);

export function studyRoutes(app: App, { db }: RouteDeps): void {
  app.post(
    '/api/v1/studies',
    {
      config: { roles: adminRoles },
      schema: {
        summary: 'Create a study',
        tags: ['admin'],
        body: CreateBody,
        response: { 201: StudyBody, ...errors(400, 401, 403, 409, 413, 415) },
      },
    },
    async (request, reply) => {
      const { id, title } = request.body;
      const study = await db.transaction().execute(async (trx) => {
        const created = await createStudy(trx, { ...fieldsFrom(request.body), id, title });
        await recordAudit(trx, {
          ...auditActor(principalOf(request)),
          action: 'study.create',
          studyId: id,
          details: { fields: changedFields(request.body) },
        });
        return created;
      });
      return reply.status(201).send(studyBody(study));
    },
  );

  app.get(
    '/api/v1/studies',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'The studies this key may read',
        tags: ['read'],
        response: { 200: Type.Object({ studies: Type.Array(StudyBody) }), ...errors(401, 403) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const studies = await listStudies(db, principal.studyId ?? undefined);
      return { studies: studies.map(studyBody) };
    },
  );

  app.get(
    '/api/v1/studies/:study_id',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'One study',
        tags: ['read'],
        params: Type.Object({ study_id: StudyId }, { additionalProperties: false }),
        response: { 200: StudyBody, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      assertStudyAccess(principalOf(request), request.params.study_id);
      return studyBody(await getStudy(db, request.params.study_id));
    },
  );
}
