import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestApp, withKey, type TestApp } from '../../helpers/app.js';
import { makeEvent, makePlaySession, makeStudyWithKeys } from '../../helpers/factories.js';

describe('GET /api/v1/sessions/:id/events', () => {
  let t: TestApp;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  let sessionId: number;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    keys = await makeStudyWithKeys(t.db, 'alpha');
    const { session, playSession } = await makePlaySession(t.db, 'alpha');
    sessionId = session.id;
    const batch = Array.from({ length: 5 }, (_, i) => makeEvent({ event_type: 1, magnitude: i }));
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/events/batch?play_session_id=${playSession.id}`,
      headers: withKey(keys.ingest),
      payload: batch,
    });
  });
  afterAll(() => t.close());

  const list = (query: string, key = keys.researcher) =>
    t.app.inject({
      method: 'GET',
      url: `/api/v1/sessions/${sessionId}/events${query}`,
      headers: { 'x-api-key': key },
    });

  it('lists events newest first', async () => {
    const res = await list('');

    expect(res.statusCode).toBe(200);
    expect(res.json().events.map((e: { magnitude: number }) => e.magnitude)).toEqual([
      4, 3, 2, 1, 0,
    ]);
    expect(res.json().next_before_id).toBeNull();
  });

  it('pages with limit and before_id', async () => {
    const first = await list('?limit=2');
    const second = await list(`?limit=2&before_id=${first.json().next_before_id}`);

    expect(first.json().events.map((e: { magnitude: number }) => e.magnitude)).toEqual([4, 3]);
    expect(second.json().events.map((e: { magnitude: number }) => e.magnitude)).toEqual([2, 1]);
  });

  it.each(['?limit=0', '?limit=1001', '?limit=ten', '?limit=-1', '?sort=asc'])(
    'refuses %s',
    async (query) => {
      expect((await list(query)).statusCode).toBe(400);
    },
  );

  it('refuses the ingest key: it cannot read back', async () => {
    expect((await list('', keys.ingest)).statusCode).toBe(403);
  });

  it("refuses another study's researcher", async () => {
    const beta = await makeStudyWithKeys(t.db, 'beta');

    expect((await list('', beta.researcher)).statusCode).toBe(403);
  });

  it('lets an admin read any study', async () => {
    expect((await list('', keys.admin)).statusCode).toBe(200);
  });
});
