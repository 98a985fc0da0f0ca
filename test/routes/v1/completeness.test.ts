import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestApp, withKey, type TestApp } from '../../helpers/app.js';
import { makeEvent, makePlaySession, makeStudyWithKeys } from '../../helpers/factories.js';

describe('GET /api/v1/play-sessions/:id/completeness', () => {
  let t: TestApp;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  let playSessionId: number;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    keys = await makeStudyWithKeys(t.db, 'alpha');
    playSessionId = (await makePlaySession(t.db, 'alpha')).playSession.id;
  });
  afterAll(() => t.close());

  const send = (sequences: number[], extra: Record<string, unknown>[] = []) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/events/batch?play_session_id=${playSessionId}`,
      headers: withKey(keys.ingest),
      payload: JSON.stringify([...sequences.map((sequence) => makeEvent({ sequence })), ...extra]),
    });
  const close = (body?: unknown) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/play-sessions/${playSessionId}/close`,
      headers: withKey(keys.ingest),
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const report = async (key = keys.ingest, id = playSessionId) => {
    const res = await t.app.inject({
      url: `/api/v1/play-sessions/${id}/completeness`,
      headers: withKey(key),
    });
    return { status: res.statusCode, body: res.json() };
  };
  const range = (from: number, to: number) =>
    Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it('reports a closed play session with every number as complete', async () => {
    await send(range(1, 50));
    await close({ last_sequence: 50 });

    const { status, body } = await report();

    expect(status).toBe(200);
    expect(body).toEqual({
      play_session_id: playSessionId,
      closed: true,
      received: 50,
      duplicates: 0,
      rejected: 0,
      without_sequence: 0,
      first_sequence: 1,
      last_sequence: 50,
      expected_last_sequence: 50,
      rejected_sequences: [],
      repeated_sequences: [],
      missing_count: 0,
      missing: [],
      beyond_expected: 0,
      complete: true,
    });
  });

  it('flags events numbered past the last sequence the close gave', async () => {
    await send([1, 2, 3]);
    await close({ last_sequence: 2 });

    const { body } = await report();

    expect(body).toMatchObject({
      last_sequence: 3,
      expected_last_sequence: 2,
      beyond_expected: 1,
      missing: [],
      complete: false,
    });
  });

  it('names the gaps: at the start, in the middle and at the end', async () => {
    await send([3, 4, 7, 8, 9, 12]);
    await close({ last_sequence: 15 });

    const { body } = await report();

    expect(body.missing).toEqual([
      { from: 1, to: 2 },
      { from: 5, to: 6 },
      { from: 10, to: 11 },
      { from: 13, to: 15 },
    ]);
    expect(body.missing_count).toBe(9);
    expect(body.complete).toBe(false);
  });

  it('counts resent events as duplicates, not as new events', async () => {
    const events = range(1, 3).map((sequence) => makeEvent({ sequence }));
    for (let i = 0; i < 3; i++) {
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/events/batch?play_session_id=${playSessionId}`,
        headers: withKey(keys.ingest),
        payload: JSON.stringify(events),
      });
    }

    const { body } = await report();

    expect(body).toMatchObject({ received: 3, duplicates: 6, missing_count: 0 });
  });

  it('accounts for a refused event by its number instead of calling it missing', async () => {
    await send([1, 2, 4], [makeEvent({ sequence: 3, magnitude: -1 })]);
    await close({ last_sequence: 4 });

    const { body } = await report();

    expect(body).toMatchObject({
      received: 3,
      rejected: 1,
      rejected_sequences: [3],
      missing: [],
      complete: true,
    });
  });

  it('ignores a sequence in a rejected payload that is not a whole number in range', async () => {
    await send(
      [1],
      [
        makeEvent({ sequence: '2' }),
        makeEvent({ sequence: 99_999_999_999 }),
        makeEvent({ sequence: 2.5 }),
      ],
    );

    const { body } = await report();

    expect(body).toMatchObject({ rejected: 3, rejected_sequences: [], missing: [] });
  });

  it('accounts for events refused for what the database cannot hold, one by one', async () => {
    const res = await send(
      [1, 2, 5],
      [
        makeEvent({ sequence: 3, data: { note: 'a\u0000b' } }),
        makeEvent({ sequence: 4, data: { id: 2 ** 64 } }),
        makeEvent({ sequence: 6, data: { note: 'x'.repeat(20_000) } }),
      ],
    );
    await close({ last_sequence: 6 });

    expect(res.statusCode).toBe(200);
    expect(res.json().rejected.map((r: { rule: string }) => r.rule)).toEqual([
      'no_nul',
      'safe_integer',
      'max_bytes',
    ]);
    expect((await report()).body).toMatchObject({
      received: 3,
      rejected: 3,
      rejected_sequences: [3, 4, 6],
      missing: [],
      complete: true,
    });
  });

  it('ends the sequence at the last_sequence the close gave', async () => {
    await send([1, 2, 3, 10], [makeEvent({ sequence: 12, magnitude: -1 })]);
    await close({ last_sequence: 3 });

    expect((await report()).body).toMatchObject({
      missing: [],
      missing_count: 0,
      beyond_expected: 1,
      complete: false,
    });
  });

  it('lists numbers that two stored events share', async () => {
    await send([1, 2, 2, 3]);
    await close({ last_sequence: 3 });

    const { body } = await report();

    expect(body).toMatchObject({ received: 4, repeated_sequences: [2], complete: false });
  });

  it('is not complete while open or closed without a last sequence', async () => {
    await send([1, 2]);
    expect((await report()).body).toMatchObject({ closed: false, complete: false });

    await close();
    expect((await report()).body).toMatchObject({
      closed: true,
      expected_last_sequence: null,
      complete: false,
    });
  });

  it('counts events sent without numbers apart and finds no gaps in them', async () => {
    await send([], [makeEvent(), makeEvent()]);

    const { body } = await report();

    expect(body).toMatchObject({
      received: 2,
      without_sequence: 2,
      first_sequence: null,
      missing_count: 0,
    });
  });

  it('keeps the highest last_sequence over retried closes and refuses a bad one', async () => {
    await close({ last_sequence: 5 });
    const lower = await close({ last_sequence: 2 });
    const bad = await close({ last_sequence: -1 });
    const extra = await close({ last_sequence: 1, note: 'x' });

    expect(lower.json().last_sequence).toBe(5);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error).toMatchObject({ field: 'last_sequence', rule: 'minimum' });
    expect(extra.statusCode).toBe(400);
    expect((await report()).body.missing).toEqual([{ from: 1, to: 5 }]);
  });

  it('lists at most 1000 ranges but counts every missing number', async () => {
    await send(range(1, 500).map((n) => n * 2));
    await send(range(501, 1001).map((n) => n * 2));

    const { body } = await report();

    expect(body.missing).toHaveLength(1000);
    expect(body.missing[0]).toEqual({ from: 1, to: 1 });
    expect(body.missing_count).toBe(1001);
  });

  it('answers a researcher of the study and the admin, and refuses other studies', async () => {
    const other = await makeStudyWithKeys(t.db, 'beta');

    expect((await report(keys.researcher)).status).toBe(200);
    expect((await report(keys.admin)).status).toBe(200);
    expect((await report(other.ingest)).status).toBe(403);
    expect((await report(other.researcher)).status).toBe(403);
    expect((await report(keys.ingest, 999_999)).status).toBe(404);
  });
});
