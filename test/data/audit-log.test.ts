import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { listAudit, recordAudit, verifyAuditChain } from '../../src/data/audit-log.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { openTestDatabase, resetDatabase } from '../helpers/database.js';

describe('audit trail', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  beforeEach(async () => {
    await resetDatabase(database);
    for (const action of ['key.create', 'export', 'withdrawal', 'purge']) {
      await recordAudit(database.db, {
        actor: 'system',
        action,
        studyId: 'alpha',
        details: { n: 1 },
      });
    }
  });
  afterAll(() => database.close());

  /** What someone with database rights could do behind the application's back. */
  async function tamper(statement: ReturnType<typeof sql>) {
    await sql`alter table audit_log disable trigger audit_log_no_change`.execute(database.db);
    await statement.execute(database.db);
    await sql`alter table audit_log enable trigger audit_log_no_change`.execute(database.db);
  }

  it('chains every record to the one before', async () => {
    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, checked: 4 });
  });

  it('checks a long trail page by page', async () => {
    expect(await verifyAuditChain(database.db, 3)).toEqual({ ok: true, checked: 4 });
  });

  it('refuses updates and deletes through the database', async () => {
    await expect(sql`delete from audit_log where id = 2`.execute(database.db)).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`update audit_log set actor = 'x'`.execute(database.db)).rejects.toThrow(
      /append-only/,
    );
  });

  it('finds an edited record', async () => {
    await tamper(sql`update audit_log set details = '{"n": 2}' where id = 3`);

    expect(await verifyAuditChain(database.db)).toMatchObject({
      ok: false,
      brokenAt: 3,
      checked: 2,
    });
  });

  it('finds a deleted record at the one after it', async () => {
    await tamper(sql`delete from audit_log where id = 2`);

    expect(await verifyAuditChain(database.db)).toMatchObject({ ok: false, brokenAt: 3 });
  });

  it('lists records oldest first, by study and after an id', async () => {
    await recordAudit(database.db, { actor: 'system', action: 'other', studyId: 'beta' });

    const page = await listAudit(database.db, { studyId: 'alpha', afterId: 1, limit: 2 });

    expect(page.map((record) => record.action)).toEqual(['export', 'withdrawal']);
  });

  it('keeps one order when many records are written at once', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAudit(database.db, { actor: 'system', action: `parallel.${i}` }),
      ),
    );

    expect(await verifyAuditChain(database.db)).toEqual({ ok: true, checked: 24 });
  });
});
