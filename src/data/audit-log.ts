import { createHash } from 'node:crypto';

import { sql, type Kysely, type Transaction } from 'kysely';

import type { AuditRow, Database } from '../db/schema.js';

export interface AuditEntry {
  /** Who: `key:<id>`, `participant`, `cli` or `system`. Never a person's identity. */
  actor: string;
  keyId?: number | null;
  action: string;
  studyId?: string | null;
  /** What, in counts and ids; never codes, keys or event payloads. */
  details?: Record<string, unknown>;
}

export interface AuditRecord extends Required<AuditEntry> {
  id: number;
  at: Date;
}

const genesis: Buffer = Buffer.alloc(32);

// Any fixed number: every append takes this lock, so the chain has one order.
const chainLock = 7_250_001;

/** JSON with sorted keys, so the same record always hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const members = entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value);
}

function recordHash(prevHash: Buffer, record: Omit<AuditRecord, 'id'>): Buffer {
  const body = canonical({
    at: record.at.toISOString(),
    actor: record.actor,
    key_id: record.keyId,
    action: record.action,
    study_id: record.studyId,
    details: record.details,
  });
  return createHash('sha256').update(prevHash).update(body, 'utf8').digest();
}

async function append(trx: Transaction<Database>, entry: AuditEntry): Promise<void> {
  await sql`select pg_advisory_xact_lock(${chainLock})`.execute(trx);
  const last = await trx
    .selectFrom('audit_log')
    .select('hash')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const record = {
    at: new Date(),
    actor: entry.actor,
    keyId: entry.keyId ?? null,
    action: entry.action,
    studyId: entry.studyId ?? null,
    details: entry.details ?? {},
  };
  const prevHash = last === undefined ? genesis : Buffer.from(last.hash);
  await trx
    .insertInto('audit_log')
    .values({
      at: record.at,
      actor: record.actor,
      key_id: record.keyId,
      action: record.action,
      study_id: record.studyId,
      details: JSON.stringify(record.details),
      prev_hash: prevHash,
      hash: recordHash(prevHash, record),
    })
    .execute();
}

/**
 * Appends one record to the audit trail, chained to the one before it. Inside
 * a transaction it commits or rolls back with the change it records.
 */
export async function recordAudit(
  db: Kysely<Database> | Transaction<Database>,
  entry: AuditEntry,
): Promise<void> {
  if (db.isTransaction) return append(db as Transaction<Database>, entry);
  await db.transaction().execute((trx) => append(trx, entry));
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: Number(row.id),
    at: row.at,
    actor: row.actor,
    keyId: row.key_id === null ? null : Number(row.key_id),
    action: row.action,
    studyId: row.study_id,
    details: row.details as Record<string, unknown>,
  };
}

export async function listAudit(
  db: Kysely<Database>,
  options: { studyId?: string; afterId?: number; limit: number },
): Promise<AuditRecord[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id').limit(options.limit);
  if (options.studyId !== undefined) query = query.where('study_id', '=', options.studyId);
  if (options.afterId !== undefined) query = query.where('id', '>', options.afterId);
  return (await query.execute()).map(toRecord);
}

export type ChainCheck =
  { ok: true; checked: number } | { ok: false; checked: number; brokenAt: number; reason: string };

/**
 * Walks the whole trail in order, a page at a time, recomputing each hash. An
 * edited record fails its own hash; a deleted or inserted one breaks the link
 * to its neighbour. A deletion of the newest records leaves no gap to find:
 * compare `checked` with a count noted elsewhere (see docs/audit.md).
 */
export async function verifyAuditChain(db: Kysely<Database>, pageSize = 1000): Promise<ChainCheck> {
  let prevHash: Buffer = genesis;
  let checked = 0;
  let afterId = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    for (const row of rows) {
      const id = Number(row.id);
      // PGlite hands bytea back as a Uint8Array, node-postgres as a Buffer.
      const rowPrev = Buffer.from(row.prev_hash);
      if (!rowPrev.equals(prevHash)) {
        return {
          ok: false,
          checked,
          brokenAt: id,
          reason: 'does not follow the record before it (one was removed or inserted)',
        };
      }
      if (!recordHash(rowPrev, toRecord(row)).equals(Buffer.from(row.hash))) {
        return { ok: false, checked, brokenAt: id, reason: 'was changed after it was written' };
      }
      prevHash = Buffer.from(row.hash);
      checked += 1;
      afterId = id;
    }
    if (rows.length < pageSize) return { ok: true, checked };
  }
}
