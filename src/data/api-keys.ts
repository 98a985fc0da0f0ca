import { sql, type Kysely, type Transaction } from 'kysely';

import { generateApiKey } from '../auth/api-key.js';
import type { ApiKeyRow, Database, Role } from '../db/schema.js';
import { NotFoundError } from '../errors.js';

export interface ApiKey {
  id: number;
  prefix: string;
  role: Role;
  studyId: string | null;
  label: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface CreatedApiKey extends ApiKey {
  /** The key in clear: exists only in this value, never stored. */
  key: string;
}

function toApiKey(row: Omit<ApiKeyRow, 'hash'>): ApiKey {
  return {
    id: Number(row.id),
    prefix: row.prefix,
    role: row.role,
    studyId: row.study_id,
    label: row.label,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

const publicColumns = [
  'id',
  'prefix',
  'role',
  'study_id',
  'label',
  'created_at',
  'expires_at',
  'revoked_at',
  'last_used_at',
] as const;

export async function createApiKey(
  db: Kysely<Database> | Transaction<Database>,
  input: { role: Role; studyId: string | null; label?: string | null; expiresAt?: Date | null },
): Promise<CreatedApiKey> {
  const secret = generateApiKey(input.role);
  const row = await db
    .insertInto('api_keys')
    .values({
      prefix: secret.prefix,
      hash: secret.hash,
      role: input.role,
      study_id: input.role === 'admin' ? null : input.studyId,
      label: input.label ?? null,
      expires_at: input.expiresAt ?? null,
    })
    .returning(publicColumns)
    .executeTakeFirstOrThrow();
  return { ...toApiKey(row), key: secret.key };
}

export async function findApiKeyByHash(
  db: Kysely<Database>,
  hash: Buffer,
): Promise<(ApiKey & { hash: Buffer }) | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .select([...publicColumns, 'hash'])
    .where('hash', '=', hash)
    .executeTakeFirst();
  return row === undefined ? undefined : { ...toApiKey(row), hash: row.hash };
}

export async function listApiKeys(db: Kysely<Database>, studyId?: string): Promise<ApiKey[]> {
  let query = db.selectFrom('api_keys').select(publicColumns).orderBy('id');
  if (studyId !== undefined) query = query.where('study_id', '=', studyId);
  return (await query.execute()).map(toApiKey);
}

/** Revokes a key; revoking one already revoked keeps the first revocation time. */
export async function revokeApiKey(
  db: Kysely<Database> | Transaction<Database>,
  id: number,
): Promise<ApiKey> {
  const row = await db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, now())` })
    .where('id', '=', id)
    .returning(publicColumns)
    .executeTakeFirst();
  if (row === undefined) throw new NotFoundError(`key ${id}`);
  return toApiKey(row);
}

/** Records use at most once a minute per key, so busy ingest keys do not write on every request. */
export async function touchApiKey(db: Kysely<Database>, id: number): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([
        eb('last_used_at', 'is', null),
        eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`),
      ]),
    )
    .execute();
}
