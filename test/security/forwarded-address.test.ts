import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config/config.js';
import { openTestDatabase } from '../helpers/database.js';
import { testConfig } from '../helpers/config.js';
import { send } from './support/http.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';

// One embedded database for the in-process apps below; /health never touches it.
let database: Awaited<ReturnType<typeof openTestDatabase>>;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

/** The address the app counts a request under, seen from inside by a hook. */
async function ipSeen(config: Partial<Config>, headers: Record<string, string>): Promise<string> {
  const logger = pino({ level: 'silent' });
  const app = await buildApp({ config: testConfig(config), db: database.db, logger });
  let seen = '';
  app.addHook('onRequest', async (request) => {
    seen = request.ip;
  });
  try {
    await app.inject({ method: 'GET', url: '/api/v1/health', remoteAddress: '127.0.0.1', headers });
    return seen;
  } finally {
    await app.close();
  }
}

describe('request.ip', () => {
  const spoofed = { 'x-forwarded-for': '203.0.113.9' };

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    expect(await ipSeen({ trustedProxies: [] }, spoofed)).toBe('127.0.0.1');
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    expect(await ipSeen({ trustedProxies: ['10.0.0.1'] }, spoofed)).toBe('127.0.0.1');
  });

  it('believes X-Forwarded-For from a trusted proxy', async () => {
    expect(await ipSeen({ trustedProxies: ['127.0.0.1'] }, spoofed)).toBe('203.0.113.9');
  });
});

describe('a real server with a small rate limit', () => {
  const limit = 5;
  let untrusting: ServerProcess;
  let trusting: ServerProcess;
  beforeAll(async () => {
    const { env, dir } = inject('securityServer');
    const small = { ...env, RATE_LIMIT_PER_MINUTE: String(limit), LOG_LEVEL: 'warn' };
    [untrusting, trusting] = await Promise.all([
      startServerProcess(small, dir),
      startServerProcess({ ...small, TRUSTED_PROXIES: '127.0.0.1' }, dir),
    ]);
  });
  afterAll(async () => {
    await Promise.all([untrusting?.stop(), trusting?.stop()]);
  });

  /** Statuses of requests that each claim another forwarded address. */
  async function spoofedRun(server: ServerProcess): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 1; i <= limit * 2; i++) {
      const headers = { 'x-forwarded-for': `198.51.100.${i}` };
      statuses.push(
        (await send(server.url, { method: 'GET', path: '/api/v1/health', headers })).status,
      );
    }
    return statuses;
  }

  it('counts a client that makes up forwarded addresses as one client', async () => {
    const statuses = await spoofedRun(untrusting);

    // The start-up readiness checks came from the same address and count too.
    expect(statuses).toContain(429);
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(limit);
  });

  it('counts each forwarded address apart behind a trusted proxy', async () => {
    expect(await spoofedRun(trusting)).toEqual(Array(limit * 2).fill(200));
  });
});

describe('two real servers sharing one Redis', () => {
  const limit = 5;
  let servers: ServerProcess[] = [];
  beforeAll(async () => {
    const { env, dir } = inject('securityServer');
    const shared = {
      ...env,
      RATE_LIMIT_PER_MINUTE: String(limit),
      REDIS_URL: process.env.WEBTICS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      // Counted by the forwarded address, so the start-up checks from 127.0.0.1 do not count.
      TRUSTED_PROXIES: '127.0.0.1',
      LOG_LEVEL: 'warn',
    };
    servers = await Promise.all([startServerProcess(shared, dir), startServerProcess(shared, dir)]);
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it('holds one limit for a client across both processes', async () => {
    // A fresh documentation address per run, so earlier runs' counters never meet this one.
    const client = `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
    const headers = { 'x-forwarded-for': client };
    const statuses: number[] = [];
    for (let i = 0; i < limit * 2; i++) {
      const server = servers[i % 2]!;
      statuses.push(
        (await send(server.url, { method: 'GET', path: '/api/v1/health', headers })).status,
      );
    }

    expect(statuses.filter((status) => status === 200)).toHaveLength(limit);
    expect(statuses.slice(limit)).toEqual(Array(limit).fill(429));
  });
});
