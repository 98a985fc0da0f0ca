import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { buildApp } from '../../src/app.js';
import { ConfigError, type Config } from '../../src/config/config.js';
import { projectRoot } from '../../src/version.js';
import { createTestApp, withKey, type TestApp } from '../helpers/app.js';
import { testConfig } from '../helpers/config.js';
import { openTestDatabase } from '../helpers/database.js';
import { makePlaySession, makeStudyWithKeys } from '../helpers/factories.js';

const game = 'https://games.example.org';
const sdkBuilt = existsSync(join(projectRoot, 'dist', 'web', 'public', 'sdk', 'webtics.js'));

/** What a browser sends before the SDK's POST of JSON with an X-API-Key header. */
function preflight(app: TestApp['app'], origin: string, url = '/api/v1/events?play_session_id=1') {
  return app.inject({
    method: 'OPTIONS',
    url,
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type,x-api-key',
    },
  });
}

describe('CORS with ALLOWED_ORIGINS set', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ allowedOrigins: ['https://Games.Example.org:443'] });
  });
  beforeEach(() => t.reset());
  afterAll(() => t.close());

  it("allows the SDK's preflight from a listed origin", async () => {
    const res = await preflight(t.app, game);

    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(game);
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toBe(
      'content-type, x-api-key, x-client-sent-at',
    );
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('gives an origin that is not listed no permission', async () => {
    const res = await preflight(t.app, 'https://elsewhere.example.net');

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('does not take a look-alike origin for a listed one', async () => {
    const res = await preflight(t.app, 'https://games.example.org.example.net');

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('lets a listed page read the answer and its Retry-After', async () => {
    const keys = await makeStudyWithKeys(t.db, 'alpha');
    const { session } = await makePlaySession(t.db, 'alpha');

    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sessions/${session.id}/close`,
      headers: { ...withKey(keys.ingest), origin: game },
    });

    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(game);
    expect(res.headers['access-control-expose-headers']).toContain('Retry-After');
    expect(res.headers.vary).toContain('Origin');
  });

  it.skipIf(!sdkBuilt)('lets a listed origin import /sdk/webtics.js', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/sdk/webtics.js',
      headers: { origin: game },
    });

    expect(res.statusCode).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe(game);
  });

  it.skipIf(!sdkBuilt)('does not let other origins import /sdk/webtics.js', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/sdk/webtics.js',
      headers: { origin: 'https://elsewhere.example.net' },
    });

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});

describe('CORS settings', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  const build = (overrides: Partial<Config>) =>
    buildApp({ config: testConfig(overrides), db: database.db, logger: pino({ level: 'silent' }) });

  it('allows no other origin when ALLOWED_ORIGINS is unset', async () => {
    const app = await build({});

    const res = await preflight(app, game);

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
  });

  it('allows every origin with * outside production', async () => {
    const app = await build({ environment: 'development', allowedOrigins: ['*'] });

    const res = await preflight(app, game);

    expect(res.headers['access-control-allow-origin']).toBe('*');
    await app.close();
  });

  it('refuses to start with * in production, naming ALLOWED_ORIGINS', async () => {
    const built = build({ environment: 'production', allowedOrigins: [game, '*'] });

    await expect(built).rejects.toThrow(ConfigError);
    await expect(built).rejects.toMatchObject({ variable: 'ALLOWED_ORIGINS' });
  });
});
