import Type from 'typebox';

import { createApiKey, listApiKeys, revokeApiKey } from '../../../data/api-keys.js';
import { getStudy } from '../../../data/studies.js';
import { ValidationError } from '../../../errors.js';
import { auditActor } from '../../../auth/principal.js';
import { recordAudit } from '../../../data/audit-log.js';
import { principalOf } from '../../../http/authenticate.js';
import { parseFutureTimestamp } from '../../../validation/timestamp.js';
import { errors, IdParams, Label, parseId } from '../../../schemas/common.js';
import { ApiKeyBody, apiKeyBody } from '../../../schemas/wire.js';
import { adminRoles, type App, type RouteDeps } from '../../types.js';
import { StudyId } from '../studies/study-routes.js';

const CreateBody = Type.Object(
  {
    role: Type.Union([Type.Literal('ingest'), Type.Literal('researcher'), Type.Literal('admin')]),
    study_id: Type.Optional(StudyId),
    label: Type.Optional(Label),
    expires_at: Type.Optional(
      Type.String({ description: 'ISO 8601 with a zone, in the future; absent: never expires' }),
    ),
  },
  { additionalProperties: false },
);

const CreatedKey = Type.Object({
  ...ApiKeyBody.properties,
  key: Type.String({ description: 'The key itself: shown this once, stored only as a hash' }),
});

/** Reads a key's expiry by the same rules as event times, but it must lie ahead. */
export function expiryFrom(text: string, field: string): Date {
  const result = parseFutureTimestamp(text);
  if (!result.ok) throw new ValidationError(field, result.rule, result.message);
  return result.time;
}

function studyForRole(role: string, studyId: string | undefined): string | null {
  if (role === 'admin') {
    if (studyId !== undefined) {
      throw new ValidationError(
        'study_id',
        'not_allowed',
        'admin keys reach every study; leave it out',
      );
    }
    return null;
  }
  if (studyId === undefined) {
    throw new ValidationError(
      'study_id',
      'required',
      `is required for ${role === 'ingest' ? 'an' : 'a'} ${role} key`,
    );
  }
  return studyId;
}

export function keyRoutes(app: App, { db }: RouteDeps): void {
  app.post(
    '/api/v1/keys',
    {
      config: { roles: adminRoles },
      schema: {
        summary: 'Create an API key (shown once)',
        tags: ['admin'],
        body: CreateBody,
        response: { 201: CreatedKey, ...errors(400, 401, 403, 404, 413, 415) },
      },
    },
    async (request, reply) => {
      const { role, label, expires_at: expiresText } = request.body;
      const studyId = studyForRole(role, request.body.study_id);
      if (studyId !== null) await getStudy(db, studyId);
      const expiresAt = expiresText === undefined ? null : expiryFrom(expiresText, 'expires_at');

      const created = await db.transaction().execute(async (trx) => {
        const key = await createApiKey(trx, { role, studyId, label: label ?? null, expiresAt });
        await recordAudit(trx, {
          ...auditActor(principalOf(request)),
          action: 'key.create',
          studyId,
          details: { key_id: key.id, role },
        });
        return key;
      });
      return reply.status(201).send({ ...apiKeyBody(created), key: created.key });
    },
  );

  app.get(
    '/api/v1/keys',
    {
      config: { roles: adminRoles },
      schema: {
        summary: 'List API keys (never the keys themselves)',
        tags: ['admin'],
        response: { 200: Type.Object({ keys: Type.Array(ApiKeyBody) }), ...errors(401, 403) },
      },
    },
    async () => ({ keys: (await listApiKeys(db)).map(apiKeyBody) }),
  );

  app.post(
    '/api/v1/keys/:id/revoke',
    {
      config: { roles: adminRoles },
      schema: {
        summary: 'Revoke an API key at once',
        tags: ['admin'],
        params: IdParams,
        response: { 200: ApiKeyBody, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const id = parseId(request.params.id, 'id');
      const key = await db.transaction().execute(async (trx) => {
        const revoked = await revokeApiKey(trx, id);
        await recordAudit(trx, {
          ...auditActor(principalOf(request)),
          action: 'key.revoke',
          studyId: revoked.studyId,
          details: { key_id: id },
        });
        return revoked;
      });
      return apiKeyBody(key);
    },
  );
}
