import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestApp, withKey, type TestApp } from '../../../helpers/app.js';
import { makeEvent, makePlaySession, makeStudyWithKeys } from '../../../helpers/factories.js';

const hour = 3_600_000;

describe('event sequence, monotonic time and clock correction', () => {
  let t: TestApp;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  let playSessionId: number;
  let sessionId: number;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    keys = await makeStudyWithKeys(t.db, 'alpha');
    const made = await makePlaySession(t.db, 'alpha');
    playSessionId = made.playSession.id;
    sessionId = made.session.id;
  });
  afterAll(() => t.close());

  const sendBatch = (body: unknown, sentAt?: string | string[]) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/events/batch?play_session_id=${playSessionId}`,
      headers: {
        ...withKey(keys.ingest),
        ...(sentAt === undefined ? {} : { 'x-client-sent-at': sentAt }),
      },
      payload: JSON.stringify(body),
    });
  const sendOne = (body: unknown, sentAt?: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/events?play_session_id=${playSessionId}`,
      headers: {
        ...withKey(keys.ingest),
        ...(sentAt === undefined ? {} : { 'x-client-sent-at': sentAt }),
      },
      payload: JSON.stringify(body),
    });
  const listEvents = async () =>
    (
      await t.app.inject({
        url: `/api/v1/sessions/${sessionId}/events?limit=100`,
        headers: withKey(keys.researcher),
      })
    ).json().events as Record<string, unknown>[];

  it('stores sequence and monotonic time and returns them in reads', async () => {
    const res = await sendBatch([
      makeEvent({ sequence: 1, monotonic_ms: 0 }),
      makeEvent({ sequence: 2, monotonic_ms: 1532.25 }),
    ]);
    expect(res.json()).toMatchObject({ stored: 2 });

    const events = await listEvents();
    expect(events.map((event) => [event.sequence, event.monotonic_ms])).toEqual([
      [2, 1532.25],
      [1, 0],
    ]);
    expect(events[0]).toMatchObject({ client_sent_at: null, clock_offset_ms: null });
    expect(events[0]!.corrected_time).toBe(events[0]!.timestamp);
  });

  it('corrects a client clock an hour fast to within the trip of the request', async () => {
    const skew = hour;
    const happened = Date.now() - 2000;
    const before = Date.now();
    const res = await sendBatch(
      [makeEvent({ timestamp: new Date(happened + skew).toISOString(), sequence: 1 })],
      new Date(Date.now() + skew).toISOString(),
    );
    const after = Date.now();
    expect(res.json()).toMatchObject({ stored: 1, rejected: [] });

    const [event] = await listEvents();
    const offset = event!.clock_offset_ms as number;
    expect(offset).toBeGreaterThanOrEqual(skew - (after - before) - 1);
    expect(offset).toBeLessThanOrEqual(skew + 1);
    const corrected = Date.parse(event!.corrected_time as string);
    expect(Math.abs(corrected - happened)).toBeLessThanOrEqual(after - before + 1);
    expect(event!.timestamp).toBe(new Date(happened + skew).toISOString());
    const received = Date.parse(event!.received_at as string);
    expect(received).toBeGreaterThanOrEqual(before - 1);
    expect(received).toBeLessThanOrEqual(after + 1);
  });

  it('accepts events from a clock years behind once it reports itself', async () => {
    const skew = -30 * 365 * 24 * hour; // a device that booted into 1996
    const happened = Date.now() - 500;
    const event = makeEvent({ timestamp: new Date(happened + skew).toISOString() });

    expect((await sendOne(event)).statusCode).toBe(400);
    const res = await sendOne(event, new Date(Date.now() + skew).toISOString());

    expect(res.statusCode).toBe(201);
    expect(Math.abs(Date.parse(res.json().corrected_time) - happened)).toBeLessThan(1000);
  });

  it('applies the future rule to the corrected time, and says so', async () => {
    const res = await sendBatch(
      [makeEvent({ timestamp: new Date(Date.now() + 10 * 60_000).toISOString() })],
      new Date().toISOString(),
    );

    expect(res.json().rejected).toEqual([
      {
        index: 0,
        field: 'timestamp',
        rule: 'not_in_future',
        message: expect.stringContaining('X-Client-Sent-At'),
      },
    ]);
  });

  it.each([
    ['tomorrow', 'iso8601'],
    ['1969-12-31T23:59:59Z', 'not_before_1970'],
    ['2026-02-30T00:00:00Z', 'real_date'],
    ['9999-12-31T23:59:59-23:59', 'not_after_9999'],
  ])('refuses the whole request when X-Client-Sent-At is %s', async (header, rule) => {
    const res = await sendBatch([makeEvent()], header);

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ field: 'X-Client-Sent-At', rule, retryable: false });
    expect(await t.db.selectFrom('events').select('id').execute()).toHaveLength(0);
  });

  it('refuses X-Client-Sent-At sent twice (joined, it is no time)', async () => {
    const now = new Date().toISOString();
    const res = await sendBatch([makeEvent()], [now, now]);

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ field: 'X-Client-Sent-At', rule: 'iso8601' });
  });

  it.each([
    [{ sequence: 0 }, 'sequence', 'minimum'],
    [{ sequence: 2_147_483_648 }, 'sequence', 'maximum'],
    [{ sequence: 1.5 }, 'sequence', 'type'],
    [{ sequence: '3' }, 'sequence', 'type'],
    [{ monotonic_ms: -1 }, 'monotonic_ms', 'minimum'],
    [{ monotonic_ms: 1e13 }, 'monotonic_ms', 'maximum'],
    [{ monotonic_ms: null }, 'monotonic_ms', 'type'],
  ])('rejects %j by field and rule', async (override, field, rule) => {
    const res = await sendBatch([makeEvent(override)]);

    expect(res.json().rejected).toEqual([{ index: 0, field, rule, message: expect.any(String) }]);
  });

  it('counts a resent event as a duplicate and keeps its first arrival', async () => {
    const event = makeEvent({ sequence: 1 });
    const first = await sendBatch([event], new Date().toISOString());
    const again = await sendBatch([event, event], new Date(Date.now() + 5000).toISOString());

    expect(first.json()).toMatchObject({ stored: 1, duplicates: 0 });
    expect(again.json()).toMatchObject({ stored: 0, duplicates: 2 });
    const play = await t.db
      .selectFrom('play_sessions')
      .select('duplicate_events')
      .where('id', '=', playSessionId)
      .executeTakeFirstOrThrow();
    expect(Number(play.duplicate_events)).toBe(2);
    const [stored] = await listEvents();
    expect(Math.abs(stored!.clock_offset_ms as number)).toBeLessThan(1000);
  });
});
