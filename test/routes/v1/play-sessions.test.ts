import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createMetricSession } from '../../../src/data/sessions.js';
import { createTestApp, withKey, type TestApp } from '../../helpers/app.js';
import { makeStudyWithKeys } from '../../helpers/factories.js';

describe('play sessions', () => {
  let t: TestApp;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  let sessionId: number;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    keys = await makeStudyWithKeys(t.db, 'alpha');
    sessionId = (
      await createMetricSession(t.db, { studyId: 'alpha', uniqueId: 'p', buildNumber: '1' })
    ).id;
  });
  afterAll(() => t.close());

  const start = (key: string, body: unknown) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/play-sessions',
      headers: withKey(key),
      payload: body as object,
    });

  it('starts a play session inside a metric session', async () => {
    const res = await start(keys.ingest, { metric_session_id: sessionId });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ id: 1, metric_session_id: sessionId, ended_at: null });
  });

  it.each([
    ['a string id', '1'],
    ['a fraction', 1.5],
    ['zero', 0],
    ['an id past the integer range', 2 ** 63],
    ['null', null],
  ])('rejects %s as metric_session_id', async (_name, value) => {
    const res = await start(keys.ingest, { metric_session_id: value });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('metric_session_id');
  });

  it('answers 404 for a metric session that does not exist', async () => {
    expect((await start(keys.ingest, { metric_session_id: 424242 })).statusCode).toBe(404);
  });

  it("refuses another study's key", async () => {
    const beta = await makeStudyWithKeys(t.db, 'beta');

    expect((await start(beta.ingest, { metric_session_id: sessionId })).statusCode).toBe(403);
  });

  it('refuses a play session in a closed metric session', async () => {
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${sessionId}/close`,
      headers: { 'x-api-key': keys.ingest },
    });

    const res = await start(keys.ingest, { metric_session_id: sessionId });

    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('session_closed');
  });

  it('ends a play session', async () => {
    const id = (await start(keys.ingest, { metric_session_id: sessionId })).json().id as number;

    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/play-sessions/${id}/close`,
      headers: { 'x-api-key': keys.ingest },
    });

    expect(res.statusCode).toBe(200);
    expect(res.json().ended_at).not.toBeNull();
  });
});
