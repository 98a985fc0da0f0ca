import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { send } from './support/http.js';
import {
  cleanEnv,
  freePort,
  runCli,
  startServerProcess,
  type ServerProcess,
} from './support/server-process.js';

/** Never contacted: redirects are read, not followed; `.test` is reserved for testing. */
const publicUrl = 'https://webtics.test';

const headersOfEveryAnswer = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

let direct: ServerProcess;
let proxied: ServerProcess;
beforeAll(async () => {
  const { env, dir } = inject('securityServer');
  // The secrets come from `webtics secrets`, as an operator makes them, in a .env of its own.
  const folder = join(dir, 'production');
  mkdirSync(folder);
  await runCli(['secrets', '--path', join(folder, '.env')], cleanEnv({}), folder);
  const production = {
    ...env,
    ENVIRONMENT: 'production',
    PUBLIC_URL: publicUrl,
    LOG_LEVEL: 'warn',
  };
  [direct, proxied] = await Promise.all([
    startServerProcess(production, folder),
    startServerProcess({ ...production, TRUSTED_PROXIES: '127.0.0.1' }, folder),
  ]);
});
afterAll(async () => {
  await Promise.all([direct?.stop(), proxied?.stop()]);
});

describe('plain HTTP in production', () => {
  it('sends GET to the same path and query over HTTPS with a 301', async () => {
    const res = await send(direct.url, { method: 'GET', path: '/api/v1/studies?x=1' });

    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`${publicUrl}/api/v1/studies?x=1`);
    expect(res.headers).toMatchObject(headersOfEveryAnswer);
  });

  it('sends POST on with a 308, which keeps the method and body', async () => {
    const res = await send(direct.url, {
      method: 'POST',
      path: '/api/v1/sessions',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });

    expect(res.status).toBe(308);
    expect(res.headers.location).toBe(`${publicUrl}/api/v1/sessions`);
  });

  it('does not believe X-Forwarded-Proto from a client that is not a trusted proxy', async () => {
    const res = await send(direct.url, {
      method: 'GET',
      path: '/api/v1/studies',
      headers: { 'x-forwarded-proto': 'https' },
    });

    expect(res.status).toBe(301);
  });

  it('answers the local health check over plain HTTP', async () => {
    const res = await send(direct.url, { method: 'GET', path: '/api/v1/health' });

    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject(headersOfEveryAnswer);
  });
});

describe('behind a trusted proxy that ended TLS', () => {
  it('serves the request, with the security headers', async () => {
    const res = await send(proxied.url, {
      method: 'GET',
      path: '/api/v1/studies',
      headers: { 'x-forwarded-proto': 'https' },
    });

    expect(res.status).toBe(401);
    expect(res.headers).toMatchObject(headersOfEveryAnswer);
    expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
  });

  it('still redirects what the proxy says came over plain HTTP', async () => {
    const res = await send(proxied.url, {
      method: 'GET',
      path: '/',
      headers: { 'x-forwarded-proto': 'http' },
    });

    expect(res.status).toBe(301);
  });
});

it('refuses to start in production without its secrets', async () => {
  const { env, dir } = inject('securityServer');
  const port = String(await freePort());
  const bare = cleanEnv({ ...env, ENVIRONMENT: 'production', PORT: port, HOST: '127.0.0.1' });

  await expect(runCli(['serve'], bare, dir)).rejects.toThrow(/SECRET_KEY/);
});
