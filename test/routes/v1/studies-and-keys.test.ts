import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestApp, withKey, type TestApp } from '../../helpers/app.js';
import { makeStudyWithKeys } from '../../helpers/factories.js';

describe('studies and keys through the API', () => {
  let t: TestApp;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    keys = await makeStudyWithKeys(t.db, 'alpha');
  });
  afterAll(() => t.close());

  const post = (url: string, body: unknown, key = keys.admin) =>
    t.app.inject({ method: 'POST', url, headers: withKey(key), payload: body as object });

  it('lets an admin create a study', async () => {
    const res = await post('/api/v1/studies', { id: 'adhd-2027', title: 'ADHD 2027' });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ id: 'adhd-2027', title: 'ADHD 2027', active: true });
  });

  it('answers 409 for a study id already taken', async () => {
    const res = await post('/api/v1/studies', { id: 'alpha', title: 'again' });

    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('already_exists');
  });

  it.each(['Upper', '../etc', 'a b', '', 'x'.repeat(64), '-lead'])(
    'refuses the study id %j',
    async (id) => {
      const res = await post('/api/v1/studies', { id, title: 't' });

      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('id');
    },
  );

  it('refuses study creation with a researcher key', async () => {
    expect(
      (await post('/api/v1/studies', { id: 'x', title: 't' }, keys.researcher)).statusCode,
    ).toBe(403);
  });

  it('reads one study, for its researcher only', async () => {
    const beta = await makeStudyWithKeys(t.db, 'beta');
    const read = (key: string) =>
      t.app.inject({ method: 'GET', url: '/api/v1/studies/alpha', headers: { 'x-api-key': key } });

    expect((await read(keys.researcher)).json().id).toBe('alpha');
    expect((await read(beta.researcher)).statusCode).toBe(403);
  });

  it('creates a key that works at once and is shown only then', async () => {
    const created = await post('/api/v1/keys', {
      role: 'researcher',
      study_id: 'alpha',
      label: 'Dr. R',
    });
    const listed = await t.app.inject({
      method: 'GET',
      url: '/api/v1/keys',
      headers: { 'x-api-key': keys.admin },
    });
    const used = await t.app.inject({
      method: 'GET',
      url: '/api/v1/studies',
      headers: { 'x-api-key': created.json().key },
    });

    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ role: 'researcher', study_id: 'alpha', label: 'Dr. R' });
    expect(listed.body).not.toContain(created.json().key);
    expect(listed.json().keys).toHaveLength(4);
    expect(used.statusCode).toBe(200);
  });

  it('requires a study for ingest and researcher keys, and refuses one for admin keys', async () => {
    expect((await post('/api/v1/keys', { role: 'ingest' })).json().error.field).toBe('study_id');
    expect(
      (await post('/api/v1/keys', { role: 'admin', study_id: 'alpha' })).json().error.field,
    ).toBe('study_id');
  });

  it('answers 404 for a key bound to a study that does not exist', async () => {
    expect((await post('/api/v1/keys', { role: 'ingest', study_id: 'ghost' })).statusCode).toBe(
      404,
    );
  });

  it('revokes a key, which then stops working', async () => {
    const created = (await post('/api/v1/keys', { role: 'ingest', study_id: 'alpha' })).json();

    const revoked = await post(`/api/v1/keys/${created.id}/revoke`, undefined);
    const after = await post(
      '/api/v1/sessions',
      { unique_id: 'p', build_number: '1' },
      created.key,
    );

    expect(revoked.json().revoked_at).not.toBeNull();
    expect(after.statusCode).toBe(401);
  });

  it('answers 404 when revoking a key that does not exist', async () => {
    expect((await post('/api/v1/keys/777/revoke', undefined)).statusCode).toBe(404);
  });

  it.each([
    ['second 60', '2030-01-01T00:00:60Z', 'real_time'],
    ['a past time', '2020-01-01T00:00:00Z', 'in_future'],
    ['year 0', '0000-01-01T00:00:00Z', 'not_before_2000'],
    ['no zone', '2030-01-01T00:00:00', 'iso8601'],
  ])('refuses %s as a key expiry with a 400', async (_name, expiresAt, rule) => {
    const res = await post('/api/v1/keys', {
      role: 'ingest',
      study_id: 'alpha',
      expires_at: expiresAt,
    });

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ field: 'expires_at', rule });
  });

  it('refuses control characters in a study title', async () => {
    const res = await post('/api/v1/studies', { id: 'ansi', title: 'red \u001b[31m' });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('title');
  });
});
