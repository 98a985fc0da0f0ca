import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestApp, withKey, type TestApp } from '../../../helpers/app.js';
import { makeEvent, makePlaySession, makeStudyWithKeys } from '../../../helpers/factories.js';

describe('POST /api/v1/events', () => {
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

  const send = (body: unknown, query = `play_session_id=${playSessionId}`, key = keys.ingest) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/events?${query}`,
      headers: withKey(key),
      payload: JSON.stringify(body),
    });
  const count = async (table: 'events' | 'rejected_events') =>
    (await t.db.selectFrom(table).select('id').execute()).length;

  it('stores an event and answers it as stored', async () => {
    const event = makeEvent({ event_subtype: 2, x: 1.5, y: -2, z: 0, data: { trial: 1 } });

    const res = await send(event);

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id: 1,
      play_session_id: playSessionId,
      event_type: 102,
      event_subtype: 2,
      magnitude: 321.5,
      data: { trial: 1 },
      timestamp: event.timestamp,
      client_event_id: event.client_event_id,
    });
  });

  it('stores an absent magnitude as NULL, not 0', async () => {
    await send(makeEvent({ event_type: 5, magnitude: undefined }));

    const row = await t.db.selectFrom('events').select('magnitude').executeTakeFirstOrThrow();
    expect(row.magnitude).toBeNull();
  });

  it('answers a retried event with the first one and stores it once', async () => {
    const event = makeEvent();

    const first = await send(event);
    const retry = await send(event);

    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(200);
    expect(retry.json().id).toBe(first.json().id);
    expect(await count('events')).toBe(1);
  });

  it('stores events without a client id each time', async () => {
    const event = makeEvent({ client_event_id: undefined });

    await send(event);
    await send(event);

    expect(await count('events')).toBe(2);
  });

  it('refuses an invalid event with a 400 naming field and rule, and records the rejection', async () => {
    const res = await send(makeEvent({ magnitude: 20_000 }));

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'invalid_field',
      field: 'magnitude',
      rule: 'range',
    });
    expect(await count('events')).toBe(0);
    const rejected = await t.db.selectFrom('rejected_events').selectAll().executeTakeFirstOrThrow();
    expect(rejected).toMatchObject({
      study_id: 'alpha',
      field: 'magnitude',
      rule: 'range',
      build_number: '1.0.0',
    });
  });

  it.each([
    ['"102" as event_type', { event_type: '102' }, 'event_type'],
    ['true as x', { x: true }, 'x'],
    ['null as event_type', { event_type: null }, 'event_type'],
    ['a naive timestamp', { timestamp: '2026-01-01T00:00:00' }, 'timestamp'],
    ['30 February', { timestamp: '2024-02-30T00:00:00Z' }, 'timestamp'],
  ])('refuses %s', async (_name, override, field) => {
    const res = await send(makeEvent(override));

    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
    expect(await count('events')).toBe(0);
  });

  it('refuses 1e400, which JSON reads as infinity', async () => {
    const body = `{"event_type":1,"x":1e400,"timestamp":"${new Date().toISOString()}"}`;

    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/events?play_session_id=${playSessionId}`,
      headers: withKey(keys.ingest),
      payload: body,
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('x');
  });

  it.each([
    '',
    'play_session_id=abc',
    'play_session_id=0',
    'play_session_id=1&other=2',
    'play_session_id=123456789012345678',
  ])('refuses the query %j', async (query) => {
    const res = await send(makeEvent(), query);

    expect(res.statusCode).toBe(400);
    expect(await count('rejected_events')).toBe(0);
  });

  it('answers 404 for a play session that does not exist', async () => {
    expect((await send(makeEvent(), 'play_session_id=999')).statusCode).toBe(404);
  });

  it("refuses another study's ingest key and stores nothing", async () => {
    const beta = await makeStudyWithKeys(t.db, 'beta');

    const res = await send(makeEvent(), `play_session_id=${playSessionId}`, beta.ingest);

    expect(res.statusCode).toBe(403);
    expect(await count('events')).toBe(0);
    expect(await count('rejected_events')).toBe(0);
  });

  it('stores markup in data as given and never sends it back as markup', async () => {
    const res = await send(makeEvent({ data: { note: '<script>alert(1)</script>&' } }));

    expect(res.body).not.toContain('<script>');
    expect(res.body).toContain('\\u003cscript\\u003e');
    expect(res.json().data.note).toBe('<script>alert(1)</script>&');
  });
});

describe('POST /api/v1/events with a bad query and a bad body', () => {
  let t: TestApp;
  let ingest: string;
  beforeAll(async () => {
    t = await createTestApp();
    ingest = (await makeStudyWithKeys(t.db, 'alpha')).ingest;
    await makePlaySession(t.db, 'alpha');
  });
  afterAll(() => t.close());

  it.each(['play_session_id=0x1', 'play_session_id=1e0', 'play_session_id=01', ''])(
    'judges the query %j first and records nothing',
    async (query) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/events?${query}`,
        headers: withKey(ingest),
        payload: { event_type: 'x', play_session_id: 1 },
      });

      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('play_session_id');
      expect(await t.db.selectFrom('rejected_events').select('id').execute()).toHaveLength(0);
    },
  );

  it('tells a pattern rule in words, not as a regular expression', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events?play_session_id=abc',
      headers: withKey(ingest),
      payload: {},
    });

    expect(res.json().error.message).toBe(
      'play_session_id: must be a positive integer id (1, 2, 3 …)',
    );
  });
});
