import Fastify from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createApiKey } from '../../src/data/api-keys.js';
import { authenticate } from '../../src/http/authenticate.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { makeStudyWithKeys } from '../helpers/factories.js';

describe('API keys on requests', () => {
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

  const studies = (headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url: '/api/v1/studies', headers });

  it('answers 401 without a key', async () => {
    const res = await studies();

    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthorized');
  });

  it.each(['', 'nonsense', `wt_admin_${'A'.repeat(43)}`, `${'x'.repeat(5000)}`])(
    'answers 401 for the key %j',
    async (key) => {
      expect((await studies({ 'x-api-key': key })).statusCode).toBe(401);
    },
  );

  it('answers 401 for a revoked key', async () => {
    const created = await createApiKey(t.db, { role: 'admin', studyId: null });
    await t.app.inject({
      method: 'POST',
      url: `/api/v1/keys/${created.id}/revoke`,
      headers: { 'x-api-key': keys.admin },
    });

    const res = await studies({ 'x-api-key': created.key });

    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/revoked/);
  });

  it('answers 401 for an expired key', async () => {
    const created = await createApiKey(t.db, {
      role: 'admin',
      studyId: null,
      expiresAt: new Date(Date.now() - 1000),
    });

    const res = await studies({ 'x-api-key': created.key });

    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toMatch(/expired/);
  });

  it('checks the key before the body, so a stranger learns nothing of the rules', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: { 'content-type': 'text/plain' },
      payload: 'x',
    });

    expect(res.statusCode).toBe(401);
  });

  it('records when a key was last used', async () => {
    await studies({ 'x-api-key': keys.researcher });

    const row = await t.db
      .selectFrom('api_keys')
      .select('last_used_at')
      .where('role', '=', 'researcher')
      .executeTakeFirstOrThrow();
    expect(row.last_used_at).toBeInstanceOf(Date);
  });

  it('answers 403 for a role the route does not allow', async () => {
    const res = await studies({ 'x-api-key': keys.ingest });

    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/researcher or admin/);
  });

  it('shows a researcher only its own study', async () => {
    await makeStudyWithKeys(t.db, 'beta');

    const res = await studies({ 'x-api-key': keys.researcher });

    expect(res.json().studies.map((s: { id: string }) => s.id)).toEqual(['alpha']);
  });

  it('refuses to start when an /api route names no roles', async () => {
    const app = Fastify();
    await app.register(authenticate, { db: t.db });

    expect(() => app.get('/api/v1/forgotten', async () => 'open')).toThrow(/declares no roles/);
    await app.close();
  });

  it('never stores a key in clear', async () => {
    const rows = await t.db.selectFrom('api_keys').selectAll().execute();

    const text = JSON.stringify(rows.map((row) => ({ ...row, hash: row.hash.toString('hex') })));
    for (const key of [keys.ingest, keys.researcher, keys.admin]) {
      expect(text).not.toContain(key.slice(-20));
    }
  });
});
