import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { generateApiKey } from '../../src/auth/api-key.js';
import { envAdminKey, envAdminKeyId } from '../../src/auth/env-admin-key.js';
import { ConfigError } from '../../src/config/config.js';
import { createTestApp, withKey, type TestApp } from '../helpers/app.js';
import { makeStudyWithKeys } from '../helpers/factories.js';

describe('WEBTICS_API_KEY', () => {
  const operatorKey = generateApiKey('admin').key;
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ webticsApiKey: operatorKey });
  });
  beforeEach(() => t.reset());
  afterAll(() => t.close());

  it('authenticates as an admin key without a row in the database', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/keys',
      headers: { 'x-api-key': operatorKey },
    });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ keys: [] });
  });

  it('may do what an admin may, such as making a study', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/studies',
      headers: withKey(operatorKey),
      payload: { id: 'made-by-operator', title: 'Operator study' },
    });

    expect(res.statusCode).toBe(201);
  });

  it('refuses a different key of the same shape', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/keys',
      headers: { 'x-api-key': generateApiKey('admin').key },
    });

    expect(res.statusCode).toBe(401);
  });

  it('refuses the key with one character changed', async () => {
    const last = operatorKey.endsWith('A') ? 'B' : 'A';

    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/keys',
      headers: { 'x-api-key': operatorKey.slice(0, -1) + last },
    });

    expect(res.statusCode).toBe(401);
  });

  it('leaves keys from the database working beside it', async () => {
    const keys = await makeStudyWithKeys(t.db, 'alpha');

    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/studies/alpha',
      headers: { 'x-api-key': keys.researcher },
    });

    expect(res.statusCode).toBe(200);
  });
});

describe('envAdminKey', () => {
  it('keeps only a hash, not the key', () => {
    const key = generateApiKey('admin').key;

    const held = envAdminKey(key);

    expect(JSON.stringify(held)).not.toContain(key.slice(9));
    expect(held?.principalFor(key)).toEqual({ keyId: envAdminKeyId, role: 'admin', studyId: null });
  });

  it('means no key when unset or a placeholder', () => {
    expect(envAdminKey(undefined)).toBeUndefined();
    expect(envAdminKey('CHANGE_ME_run_webtics_secrets')).toBeUndefined();
  });

  it.each([
    ['a random string', 'x'.repeat(43)],
    ['an ingest key', generateApiKey('ingest').key],
    ['a key one character short', generateApiKey('admin').key.slice(0, -1)],
  ])('refuses %s, naming WEBTICS_API_KEY', (_label, value) => {
    expect(() => envAdminKey(value)).toThrow(ConfigError);
    expect(() => envAdminKey(value)).toThrow(/^WEBTICS_API_KEY: /);
  });
});
