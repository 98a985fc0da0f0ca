import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { escapeJson } from '../../src/http/security.js';
import { createTestApp, withKey, type TestApp } from '../helpers/app.js';
import { makeEvent, makePlaySession, makeStudyWithKeys } from '../helpers/factories.js';

const securityHeaders = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

describe('security basics', () => {
  let t: TestApp;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    keys = await makeStudyWithKeys(t.db, 'alpha');
    url = `/api/v1/events/batch?play_session_id=${(await makePlaySession(t.db, 'alpha')).playSession.id}`;
  });
  afterAll(() => t.close());

  it.each(['/', '/api/v1/health', '/api/v1/studies', '/nowhere', '/play/', '/api/v1/openapi.json'])(
    'sends the security headers on %s',
    async (path) => {
      const res = await t.app.inject({ method: 'GET', url: path });

      expect(res.headers).toMatchObject(securityHeaders);
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
    },
  );

  it('answers 413 for a body over 1 MB', async () => {
    const payload = JSON.stringify([makeEvent({ data: { s: 'a'.repeat(1024 * 1024) } })]);

    const res = await t.app.inject({ method: 'POST', url, headers: withKey(keys.ingest), payload });

    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('body_too_large');
  });

  it.each(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'])(
    'answers 415 for %s',
    async (type) => {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: { 'x-api-key': keys.ingest, 'content-type': type },
        payload: '[]',
      });

      expect(res.statusCode).toBe(415);
    },
  );

  it('answers 400 for JSON that does not parse', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url,
      headers: withKey(keys.ingest),
      payload: '[{"event_type":',
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_json');
  });

  it.each(['[{"__proto__":{"admin":true}}]', '[{"constructor":{"prototype":{"admin":true}}}]'])(
    'refuses prototype keys: %s',
    async (payload) => {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: withKey(keys.ingest),
        payload,
      });

      expect(res.statusCode).toBe(400);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    },
  );

  it('refuses JSON nested 10 000 deep with a 400, and such a batch item alone', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const single = url.replace('/batch', '');

    const alone = await t.app.inject({
      method: 'POST',
      url: single,
      headers: withKey(keys.ingest),
      payload: `{"data":${deep}}`,
    });
    const inBatch = await t.app.inject({
      method: 'POST',
      url,
      headers: withKey(keys.ingest),
      payload: deep,
    });

    expect(alone.statusCode).toBe(400);
    expect(alone.json().error.rule).toBe('max_depth');
    expect(inBatch.statusCode).toBe(200);
    expect(inBatch.json().rejected).toMatchObject([{ index: 0, rule: 'max_depth' }]);
  });

  it('refuses a lone surrogate written as a JSON escape', async () => {
    const payload = `{"event_type":1,"timestamp":"${new Date().toISOString()}","data":{"s":"\\ud800"}}`;
    const single = url.replace('/batch', '');

    const res = await t.app.inject({
      method: 'POST',
      url: single,
      headers: withKey(keys.ingest),
      payload,
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.rule).toBe('well_formed_unicode');
  });

  it('hides the cause of a server error behind a request id', async () => {
    await sql`alter table events rename to events_gone`.execute(t.db);
    try {
      const res = await t.app.inject({
        method: 'POST',
        url,
        headers: withKey(keys.ingest),
        payload: [makeEvent()],
      });

      expect(res.statusCode).toBe(500);
      expect(res.json().request_id).toBe(res.headers['x-request-id']);
      expect(res.body).not.toMatch(/events|relation|sql/i);
    } finally {
      await sql`alter table events_gone rename to events`.execute(t.db);
    }
  });

  it.each([
    ['a malformed URL', '/api/v1/studies/%ZZ', 400],
    ['a path parameter over the length limit', `/api/v1/sessions/${'1'.repeat(300)}/events`, 414],
  ])('answers %s in the usual shape, with the security headers', async (_name, path, status) => {
    const res = await t.app.inject({
      method: 'GET',
      url: path,
      headers: { 'x-api-key': keys.admin },
    });

    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({
      error: { code: expect.any(String) },
      request_id: expect.any(String),
    });
    expect(res.headers).toMatchObject(securityHeaders);
  });

  it('says in the OpenAPI document that health needs no key', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();

    expect(doc.paths['/api/v1/health'].get.security).toEqual([]);
    expect(doc.paths['/api/v1/sessions'].post.security).toBeUndefined();
  });

  it('gives every answer a request id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health' });

    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('publishes the OpenAPI document with every v1 route', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });

    expect(Object.keys(res.json().paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/sessions',
        '/api/v1/sessions/{id}/close',
        '/api/v1/sessions/{id}/events',
        '/api/v1/play-sessions',
        '/api/v1/play-sessions/{id}/close',
        '/api/v1/events',
        '/api/v1/events/batch',
        '/api/v1/health',
        '/api/v1/health/ready',
      ]),
    );
  });
});

describe('escapeJson', () => {
  it('writes <, > and & as unicode escapes that JSON reads back unchanged', () => {
    const text = JSON.stringify({ s: '<img src=x onerror=alert(1)> & \u2028' });

    const escaped = escapeJson(text);

    expect(escaped).not.toMatch(/[<>&]/);
    expect(JSON.parse(escaped)).toEqual(JSON.parse(text));
  });
});
