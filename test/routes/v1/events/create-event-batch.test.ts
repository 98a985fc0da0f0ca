import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestApp, withKey, type TestApp } from '../../../helpers/app.js';
import { makeEvent, makePlaySession, makeStudyWithKeys } from '../../../helpers/factories.js';

describe('POST /api/v1/events/batch', () => {
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

  const send = (body: unknown) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/events/batch?play_session_id=${playSessionId}`,
      headers: withKey(keys.ingest),
      payload: JSON.stringify(body),
    });
  const count = async (table: 'events' | 'rejected_events') =>
    (await t.db.selectFrom(table).select('id').execute()).length;

  it('stores the valid events and reports each invalid one by index, field and rule', async () => {
    const batch = [
      makeEvent(),
      makeEvent({ magnitude: -5 }),
      makeEvent({ event_type: 100, magnitude: undefined }),
      makeEvent({ timestamp: 'soon' }),
      makeEvent({ bogus: true }),
    ];

    const res = await send(batch);

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      stored: 2,
      duplicates: 0,
      rejected: [
        { index: 1, field: 'magnitude', rule: 'range', message: expect.any(String) },
        { index: 3, field: 'timestamp', rule: 'iso8601', message: expect.any(String) },
        { index: 4, field: 'bogus', rule: 'unknown_field', message: expect.any(String) },
      ],
    });
    expect(await count('events')).toBe(2);
    const rejected = await t.db
      .selectFrom('rejected_events')
      .select(['batch_index', 'rule'])
      .orderBy('batch_index')
      .execute();
    expect(rejected).toEqual([
      { batch_index: 1, rule: 'range' },
      { batch_index: 3, rule: 'iso8601' },
      { batch_index: 4, rule: 'unknown_field' },
    ]);
  });

  it('counts a resent batch as duplicates and stores nothing twice', async () => {
    const batch = [makeEvent(), makeEvent(), makeEvent()];

    await send(batch);
    const again = await send(batch);

    expect(again.json()).toMatchObject({ stored: 0, duplicates: 3 });
    expect(await count('events')).toBe(3);
  });

  it('stores an event repeated inside one batch once', async () => {
    const event = makeEvent();

    const res = await send([event, event]);

    expect(res.json()).toMatchObject({ stored: 1, duplicates: 1 });
  });

  it('accepts 1000 events', async () => {
    const batch = Array.from({ length: 1000 }, () => makeEvent());

    const res = await send(batch);

    expect(res.json().stored).toBe(1000);
    expect(await count('events')).toBe(1000);
  });

  it('refuses 1001 events whole', async () => {
    const res = await send(Array.from({ length: 1001 }, () => makeEvent()));

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ field: 'body', rule: 'maxItems' });
    expect(await count('events')).toBe(0);
  });

  it('refuses a body that is not an array', async () => {
    const res = await send(makeEvent());

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ field: 'body', rule: 'type' });
  });

  it('refuses only the event whose string holds a NUL character, keeping no payload', async () => {
    const res = await send([makeEvent(), makeEvent({ data: { s: 'a\u0000' }, sequence: 2 })]);

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      stored: 1,
      rejected: [{ index: 1, field: 'data.s', rule: 'no_nul', message: expect.any(String) }],
    });
    const [kept] = await t.db.selectFrom('rejected_events').selectAll().execute();
    expect(kept).toMatchObject({ payload: null, sequence: 2, rule: 'no_nul' });
  });

  it.each([
    [{ data: { big: 2 ** 64 } }, 'data.big', 'safe_integer'],
    [{ data: { s: '\ud800' } }, 'data.s', 'well_formed_unicode'],
    [{ ['k\u0000']: 1 }, '', 'no_nul'],
  ])('refuses only the event with %j', async (override, field, rule) => {
    const res = await send([makeEvent(override), makeEvent()]);

    expect(res.json()).toMatchObject({ stored: 1, rejected: [{ index: 0, rule }] });
    if (field !== '') expect(res.json().rejected[0].field).toBe(field);
  });

  it('refuses an item nested deeper than any body may be, alone', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    const res = await send([deep, makeEvent()]);

    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stored: 1, rejected: [{ index: 0, rule: 'max_depth' }] });
  });

  it('stores nothing of a batch whose transaction fails', async () => {
    await t.db.deleteFrom('studies').where('id', '=', 'nowhere').execute();
    const batch = [makeEvent(), makeEvent()];
    await t.db.deleteFrom('play_sessions').where('id', '=', playSessionId).execute();

    const res = await send(batch);

    expect(res.statusCode).toBe(404);
    expect(await count('events')).toBe(0);
  });
});
