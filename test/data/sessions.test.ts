import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { ingestEvents } from '../../src/data/events.js';
import { closeMetricSession, closePlaySession } from '../../src/data/sessions.js';
import { NotFoundError } from '../../src/errors.js';
import { openTestDatabase, resetDatabase } from '../helpers/database.js';
import { makePlaySession, makeStudy } from '../helpers/factories.js';

describe('sessions and events in the data layer', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  beforeEach(() => resetDatabase(database));
  afterAll(() => database.close());

  it('refuses to close a metric session or a play session that does not exist', async () => {
    await expect(closeMetricSession(database.db, 999)).rejects.toBeInstanceOf(NotFoundError);
    await expect(closePlaySession(database.db, 999)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('keeps a rejected payload only while it is small enough to read', async () => {
    const study = await makeStudy(database.db);
    const { playSession } = await makePlaySession(database.db, study.id);
    const target = { playSessionId: playSession.id, studyId: study.id, buildNumber: '1.0.0' };
    const issue = { field: 'data', rule: 'max_bytes', message: 'too big' };

    await ingestEvents(database.db, target, {
      valid: [],
      rejected: [
        { index: 0, issue, payload: { data: 'a'.repeat(100) } },
        { index: 1, issue, payload: { data: 'a'.repeat(20_000) } },
        { index: 2, issue, payload: undefined },
      ],
      arrival: { receivedAt: new Date(), clock: undefined },
    });

    const rows = await database.db
      .selectFrom('rejected_events')
      .select(['batch_index', 'payload'])
      .orderBy('batch_index')
      .execute();
    expect(rows.map((row) => row.payload)).toEqual([{ data: 'a'.repeat(100) }, null, null]);
  });
});
