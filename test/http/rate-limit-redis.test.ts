import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/connect.js';
import type { App } from '../../src/routes/types.js';
import { openTestDatabase } from '../helpers/database.js';
import { makeStudyWithKeys } from '../helpers/factories.js';
import { startLimitedApp, type LimitedApp } from '../helpers/limited-app.js';
import {
  deleteRedisKeys,
  freePort,
  randomRedisPrefix,
  readRedisKey,
  sharedRedisUrl,
  startRedisServer,
  type RedisProcess,
} from '../helpers/redis.js';

const health = (app: App, remoteAddress = '198.51.100.1') =>
  app.inject({ method: 'GET', url: '/api/v1/health', remoteAddress });

/** Waits (at most 15 s) until the log has a line with this message. */
async function logged(running: LimitedApp, message: string): Promise<void> {
  for (let i = 0; i < 150; i++) {
    if (running.log.lines().some((line) => line.msg === message)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no log line "${message}" in 15 s`);
}

describe('rate limits in Redis', () => {
  let database: DatabaseHandle;
  const apps: LimitedApp[] = [];
  const prefix = randomRedisPrefix();
  let redisProcess: RedisProcess | undefined;

  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterEach(async () => {
    for (const running of apps.splice(0)) await running.app.close();
    await redisProcess?.kill();
    redisProcess = undefined;
  });
  afterAll(async () => {
    await deleteRedisKeys(sharedRedisUrl, prefix);
    await database.close();
  });

  const start = async (redisUrl: string, rateLimitPerMinute: number, redisPrefix = prefix) => {
    const running = await startLimitedApp(
      database.db,
      { redisUrl, rateLimitPerMinute, rateLimitIngestPerMinute: rateLimitPerMinute },
      { redisPrefix },
    );
    apps.push(running);
    return running;
  };

  it('shares the counters of two app instances on one Redis', async () => {
    const keys = await makeStudyWithKeys(database.db, 'shared');
    const { app: one } = await start(sharedRedisUrl, 4);
    const { app: two } = await start(sharedRedisUrl, 4);
    const openSession = (app: App) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        headers: { 'x-api-key': keys.ingest, 'content-type': 'application/json' },
        payload: { unique_id: 'player-1', build_number: '1.0.0' },
      });

    const seen = [];
    for (const app of [one, two, one, two, one, two]) seen.push((await health(app)).statusCode);
    const sessions = [];
    for (const app of [one, two, two, one, two]) sessions.push((await openSession(app)).statusCode);

    expect(seen).toEqual([200, 200, 200, 200, 429, 429]);
    expect(sessions).toEqual([201, 201, 201, 201, 429]);
    expect(await readRedisKey(sharedRedisUrl, `${prefix}addr:198.51.100.1`)).toBe('6');
  });

  it('keeps its own counters apart from another prefix', async () => {
    const { app: one } = await start(sharedRedisUrl, 1, `${prefix}one:`);
    const { app: two } = await start(sharedRedisUrl, 1, `${prefix}two:`);

    expect((await health(one, '198.51.100.2')).statusCode).toBe(200);
    expect((await health(two, '198.51.100.2')).statusCode).toBe(200);
  });

  it('counts in each process, never unlimited and never with a 500, while Redis is away', async () => {
    redisProcess = await startRedisServer();
    const running = await start(redisProcess.url, 3);
    const { app } = running;

    const before = [(await health(app)).statusCode, (await health(app)).statusCode];
    expect(await readRedisKey(redisProcess.url, `${prefix}addr:198.51.100.1`)).toBe('2');
    await redisProcess.kill();
    const startedAt = Date.now();
    const during = [];
    for (let i = 0; i < 5; i++) during.push((await health(app)).statusCode);

    expect(before).toEqual([200, 200]);
    expect(during).toEqual([200, 200, 200, 429, 429]);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    const errors = running.log.lines().filter((line) => line.level === 50);
    expect(errors.map((line) => line.msg)).toEqual([
      'rate-limit store unavailable; counting in this process until it is back',
    ]);
  });

  it('shares the counters again once Redis is back', async () => {
    const port = await freePort();
    redisProcess = await startRedisServer(port);
    const running = await start(redisProcess.url, 3);
    await redisProcess.kill();
    await health(running.app);

    redisProcess = await startRedisServer(port);
    await logged(running, 'rate-limit store back; counters are shared again');
    const answer = await health(running.app);

    expect(answer.headers['x-ratelimit-remaining']).toBe('2');
    expect(await readRedisKey(redisProcess.url, `${prefix}addr:198.51.100.1`)).toBe('1');
  });

  it('starts, limits in memory, and uses Redis once it is there, when it is missing at start', async () => {
    const port = await freePort();
    const startedAt = Date.now();
    const running = await start(`redis://127.0.0.1:${port}`, 2);

    const seen = [];
    for (let i = 0; i < 3; i++) seen.push((await health(running.app)).statusCode);
    redisProcess = await startRedisServer(port);
    await logged(running, 'rate-limit store back; counters are shared again');
    const later = await health(running.app, '198.51.100.3');

    expect(Date.now() - startedAt).toBeLessThan(15_000);
    expect(seen).toEqual([200, 200, 429]);
    expect(later.statusCode).toBe(200);
    expect(await readRedisKey(redisProcess.url, `${prefix}addr:198.51.100.3`)).toBe('1');
  });
});
