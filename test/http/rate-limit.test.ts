import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import type { Config } from '../../src/config/config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import { addressHasher } from '../../src/http/client-address.js';
import type { App } from '../../src/routes/types.js';
import { openTestDatabase, resetDatabase } from '../helpers/database.js';
import { makeStudyWithKeys } from '../helpers/factories.js';
import { startLimitedApp, type LimitedApp } from '../helpers/limited-app.js';

const badKey = `wt_admin_${'B'.repeat(43)}`;

describe('rate limits', () => {
  let database: DatabaseHandle;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  let running: LimitedApp | undefined;

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  beforeEach(async () => {
    await resetDatabase(database);
    keys = await makeStudyWithKeys(database.db, 'alpha');
  });
  afterEach(async () => {
    await running?.app.close();
    running = undefined;
  });
  afterAll(() => database.close());

  const start = async (overrides: Partial<Config>, options?: { routes?: (app: App) => void }) => {
    running = await startLimitedApp(database.db, overrides, options);
    return running.app;
  };

  const health = (app: App, remoteAddress = '198.51.100.1') =>
    app.inject({ method: 'GET', url: '/api/v1/health', remoteAddress });

  const studies = (app: App, key: string | undefined, remoteAddress = '198.51.100.1') =>
    app.inject({
      method: 'GET',
      url: '/api/v1/studies',
      remoteAddress,
      headers: key === undefined ? {} : { 'x-api-key': key },
    });

  const openSession = (app: App, key: string, remoteAddress = '198.51.100.1') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      remoteAddress,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      payload: { unique_id: 'player-1', build_number: '1.0.0' },
    });

  async function statuses(count: number, send: () => Promise<{ statusCode: number }>) {
    const seen: number[] = [];
    for (let i = 0; i < count; i++) seen.push((await send()).statusCode);
    return seen;
  }

  it('answers the 101st request in a minute with 429, Retry-After and the limit headers', async () => {
    const app = await start({ rateLimitPerMinute: 100 });

    const first = await health(app);
    const rest = await statuses(99, () => health(app));
    const refused = await health(app);

    expect(first.statusCode).toBe(200);
    expect(first.headers['x-ratelimit-limit']).toBe('100');
    expect(first.headers['x-ratelimit-remaining']).toBe('99');
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    expect(rest.every((status) => status === 200)).toBe(true);
    expect(refused.statusCode).toBe(429);
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(refused.json().error).toMatchObject({ code: 'rate_limited', retryable: true });
    expect(refused.json().request_id).toBe(refused.headers['x-request-id']);
  });

  it('counts each address apart', async () => {
    const app = await start({ rateLimitPerMinute: 2 });

    await statuses(2, () => health(app, '198.51.100.1'));

    expect((await health(app, '198.51.100.1')).statusCode).toBe(429);
    expect((await health(app, '198.51.100.2')).statusCode).toBe(200);
  });

  it('counts requests for unknown URLs against the address', async () => {
    const app = await start({ rateLimitPerMinute: 1 });
    const probe = () =>
      app.inject({ method: 'GET', url: '/wp-admin', remoteAddress: '198.51.100.1' });

    expect(await statuses(2, probe)).toEqual([404, 429]);
  });

  it('gives ingest keys the ingest limit and other keys the general one', async () => {
    const app = await start({ rateLimitPerMinute: 2, rateLimitIngestPerMinute: 4 });

    const ingest = await statuses(5, () => openSession(app, keys.ingest));
    const admin = await statuses(3, () => studies(app, keys.admin));

    expect(ingest).toEqual([201, 201, 201, 201, 429]);
    expect(admin).toEqual([200, 200, 429]);
    expect((await openSession(app, keys.ingest, '198.51.100.9')).statusCode).toBe(429);
  });

  it('counts a key wherever it comes from, and each key apart', async () => {
    const app = await start({ rateLimitPerMinute: 2 });

    await studies(app, keys.admin, '198.51.100.1');
    await studies(app, keys.admin, '198.51.100.2');

    expect((await studies(app, keys.admin, '198.51.100.3')).statusCode).toBe(429);
    expect((await studies(app, keys.researcher, '198.51.100.1')).statusCode).toBe(200);
  });

  it('gives a route with its own limit its own counter', async () => {
    const app = await start(
      { rateLimitPerMinute: 5 },
      {
        routes: (scope) =>
          scope.post(
            '/api/v1/test-withdraw',
            { config: { public: true, rateLimitPerMinute: 2 } },
            async () => ({ ok: true }),
          ),
      },
    );
    const withdraw = () =>
      app.inject({ method: 'POST', url: '/api/v1/test-withdraw', remoteAddress: '198.51.100.1' });

    const seen = await statuses(3, withdraw);

    expect(seen).toEqual([200, 200, 429]);
    const refused = await withdraw();
    expect(refused.headers['x-ratelimit-limit']).toBe('2');
    expect((await health(app)).headers['x-ratelimit-remaining']).toBe('4');
  });

  it('counts requests without a key against the address', async () => {
    const app = await start({ rateLimitPerMinute: 3 });

    const seen = [
      (await health(app)).statusCode,
      (await studies(app, undefined)).statusCode,
      (await studies(app, undefined)).statusCode,
      (await health(app)).statusCode,
    ];

    expect(seen).toEqual([200, 401, 401, 429]);
  });

  it('refuses keys from an address whose failed authentications reached the limit', async () => {
    const app = await start({ rateLimitPerMinute: 3 });

    const failures = await statuses(4, () => studies(app, badKey));

    expect(failures).toEqual([401, 401, 401, 429]);
    expect((await studies(app, keys.admin)).statusCode).toBe(429);
    expect((await studies(app, keys.admin, '198.51.100.2')).statusCode).toBe(200);
    expect((await health(app)).statusCode).toBe(200);
  });

  it('charges a key refused for its role to that key', async () => {
    const app = await start({ rateLimitPerMinute: 5, rateLimitIngestPerMinute: 2 });

    const forbidden = await statuses(2, () => studies(app, keys.ingest));

    expect(forbidden).toEqual([403, 403]);
    expect((await openSession(app, keys.ingest)).statusCode).toBe(429);
  });

  it('logs refusals and failed authentications with a hashed address, never the address or key', async () => {
    const secretKey = 'test-secret-for-address-hashes';
    const address = '203.0.113.77';
    const app = await start({ rateLimitPerMinute: 2, secretKey });

    await statuses(3, () => studies(app, badKey, address));
    await statuses(3, () => studies(app, keys.admin, '203.0.113.78'));
    await statuses(3, () => health(app, address));

    const lines = running!.log.lines();
    const expected = addressHasher(secretKey)(address);
    const refusals = lines.filter((line) => line.msg === 'rate limit exceeded');
    const failedAuth = lines.filter((line) => line.msg === 'authentication failed');
    expect(refusals.map((line) => line.bucket)).toEqual(['failed_auth', 'key', 'address']);
    expect(refusals[0]).toMatchObject({ address_hash: expected, key_id: null, limit: 2 });
    expect(refusals[1]?.key_id).toEqual(expect.any(Number));
    expect(refusals[2]).toMatchObject({ address_hash: expected, route: '/api/v1/health' });
    expect(failedAuth).toHaveLength(2);
    expect(failedAuth[0]).toMatchObject({ address_hash: expected, key_given: true });
    const text = running!.log.text();
    expect(text).not.toContain(address);
    expect(text).not.toContain('203.0.113.78');
    expect(text).not.toContain(badKey);
    expect(text).not.toContain(keys.admin);
  });
});
