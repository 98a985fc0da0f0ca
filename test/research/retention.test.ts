import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { verifyAuditChain } from '../../src/data/audit-log.js';
import { updateStudy } from '../../src/data/studies.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { purgeExpired } from '../../src/research/retention.js';
import { openTestDatabase, resetDatabase } from '../helpers/database.js';
import { makePlaySession, makeStudy } from '../helpers/factories.js';

const day = 24 * 60 * 60 * 1000;

describe('retention purge', () => {
  let database: DatabaseHandle;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  beforeEach(async () => {
    await resetDatabase(database);
    await makeStudy(database.db, 'kept-30');
    await makeStudy(database.db, 'forever');
    await updateStudy(database.db, 'kept-30', { retentionDays: 30 });
  });
  afterAll(() => database.close());

  async function sessionOpened(studyId: string, daysAgo: number) {
    const { session } = await makePlaySession(database.db, studyId);
    const openedAt = new Date(Date.now() - daysAgo * day);
    await sql`update metric_sessions set opened_at = ${openedAt} where id = ${session.id}`.execute(
      database.db,
    );
    await database.db
      .insertInto('events')
      .values({
        play_session_id: (
          await database.db
            .selectFrom('play_sessions')
            .select('id')
            .where('metric_session_id', '=', session.id)
            .executeTakeFirstOrThrow()
        ).id,
        event_type: 1,
        client_time: new Date(),
        corrected_time: new Date(),
      })
      .execute();
    return session.id;
  }

  it("erases sessions and their events older than the study's retention, and no others", async () => {
    await sessionOpened('kept-30', 31);
    const recent = await sessionOpened('kept-30', 29);
    await sessionOpened('forever', 400);

    const results = await purgeExpired(database.db, 'test');

    expect(results).toEqual([
      expect.objectContaining({ studyId: 'kept-30', sessions: 1, rejectedEvents: 0 }),
    ]);
    const left = await database.db
      .selectFrom('metric_sessions')
      .select(['id', 'study_id'])
      .orderBy('id')
      .execute();
    expect(left.map((row) => row.study_id)).toEqual(['kept-30', 'forever']);
    expect(left[0]!.id).toBe(recent);
    expect(await database.db.selectFrom('events').select('id').execute()).toHaveLength(2);
  });

  it('writes an audit record per study purged', async () => {
    await purgeExpired(database.db, 'test');

    const audit = await database.db
      .selectFrom('audit_log')
      .select(['action', 'study_id', 'actor'])
      .execute();
    expect(audit).toEqual([{ action: 'purge', study_id: 'kept-30', actor: 'test' }]);
    expect((await verifyAuditChain(database.db)).ok).toBe(true);
  });
});
