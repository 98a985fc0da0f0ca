import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestApp, type TestApp } from '../helpers/app.js';
import { makePlaySession, makeStudyWithKeys } from '../helpers/factories.js';

describe('JSON bodies', () => {
  let t: TestApp;
  let key: string;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    key = (await makeStudyWithKeys(t.db, 'alpha')).ingest;
    url = `/api/v1/events/batch?play_session_id=${(await makePlaySession(t.db, 'alpha')).playSession.id}`;
  });
  afterAll(() => t.close());

  const post = (payload: string | Buffer, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: { 'x-api-key': key, 'content-type': 'application/json', ...headers },
      payload,
    });
  const event = (data: string) =>
    `[{"event_type":1,"timestamp":"${new Date().toISOString()}","data":${data}}]`;
  const stored = async () => (await t.db.selectFrom('events').select('id').execute()).length;

  it('refuses bytes that are not UTF-8 instead of storing replacement characters', async () => {
    const body = Buffer.concat([
      Buffer.from(event('{"s":"')),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}]'),
    ]);

    const res = await post(body);

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'invalid_json', rule: 'utf8' });
    expect(await stored()).toBe(0);
  });

  it('refuses a charset other than UTF-8 with a 415', async () => {
    const res = await post(event('{"s":"Renée"}'), {
      'content-type': 'application/json; charset=iso-8859-1',
    });

    expect(res.statusCode).toBe(415);
    expect(res.json().error.rule).toBe('utf8');
  });

  it('accepts an explicit UTF-8 charset', async () => {
    const res = await post(event('{"s":"Renée"}'), {
      'content-type': 'application/json; charset=UTF-8',
    });

    expect(res.json().stored).toBe(1);
  });

  it('refuses a compressed body with a 415', async () => {
    const res = await post(event('{}'), { 'content-encoding': 'gzip' });

    expect(res.statusCode).toBe(415);
    expect(res.json().error.field).toBe('content-encoding');
  });

  it('refuses a number too large to hold instead of storing null', async () => {
    const res = await post(event('{"inf":1e400}'));

    expect(res.statusCode).toBe(200);
    expect(res.json().rejected).toMatchObject([
      { index: 0, field: 'data.inf', rule: 'finite_number' },
    ]);
    expect(await stored()).toBe(0);
  });

  it('refuses an integer that would lose digits, on a single event as a 400', async () => {
    const single = url.replace('/batch', '');
    const res = await t.app.inject({
      method: 'POST',
      url: single,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      payload: event('{"id":12345678901234567890}').slice(1, -1),
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ field: 'data.id', rule: 'safe_integer' });
    expect(await stored()).toBe(0);
  });

  it('reads an empty body with a JSON content type as no body', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/play-sessions/1/close',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      payload: '',
    });

    expect(res.statusCode).toBe(200);
  });
});
