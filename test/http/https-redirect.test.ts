import { connect, type AddressInfo } from 'node:net';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { buildApp } from '../../src/app.js';
import { ConfigError, type Config } from '../../src/config/config.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { testConfig } from '../helpers/config.js';
import { openTestDatabase } from '../helpers/database.js';

/** Sends bytes as they are, which fetch and inject would normalise, and returns the head. */
function rawRequest(address: AddressInfo, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(address.port, address.address, () => socket.end(text));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer.split('\r\n\r\n')[0] ?? ''));
    socket.on('error', reject);
  });
}

const proxy = '10.0.0.7';
const stranger = '203.0.113.9';

describe('HTTPS redirect in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({
      environment: 'production',
      publicUrl: 'https://webtics.example.org',
      trustedProxies: [proxy],
    });
  });
  afterAll(() => t.close());

  const get = (url: string, remoteAddress = stranger, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'GET', url, remoteAddress, headers });

  it('sends plain HTTP to PUBLIC_URL with a 301, keeping path and query', async () => {
    const res = await get('/api/v1/sessions/4/events?limit=5&before_id=9', stranger, {
      host: 'attacker.example.net',
    });

    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(
      'https://webtics.example.org/api/v1/sessions/4/events?limit=5&before_id=9',
    );
  });

  it('keeps the HSTS header on the redirect', async () => {
    const res = await get('/');

    expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('redirects before asking for a key', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      remoteAddress: stranger,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });

    expect(res.statusCode).toBe(308);
    expect(res.headers.location).toBe('https://webtics.example.org/api/v1/sessions');
  });

  it('believes X-Forwarded-Proto: https from a trusted proxy', async () => {
    const res = await get('/api/v1/studies', proxy, { 'x-forwarded-proto': 'https' });

    expect(res.statusCode).toBe(401);
  });

  it('redirects a trusted proxy that says the client came over http', async () => {
    const res = await get('/api/v1/studies', proxy, { 'x-forwarded-proto': 'http' });

    expect(res.statusCode).toBe(301);
  });

  it('ignores X-Forwarded-Proto: https from a peer that is not a trusted proxy', async () => {
    const res = await get('/api/v1/studies', stranger, { 'x-forwarded-proto': 'https' });

    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('https://webtics.example.org/api/v1/studies');
  });

  it.each(['/api/v1/health', '/api/v1/health/ready'])(
    'answers %s over plain HTTP from loopback, for container health checks',
    async (path) => {
      const res = await get(path, '127.0.0.1');

      expect(res.statusCode).toBe(200);
    },
  );

  it('redirects a health check that comes from elsewhere', async () => {
    expect((await get('/api/v1/health', stranger)).statusCode).toBe(301);
  });

  it('redirects a health check passed on by a proxy on loopback', async () => {
    const res = await get('/api/v1/health', '127.0.0.1', { 'x-forwarded-proto': 'http' });

    expect(res.statusCode).toBe(301);
  });

  it('does not let an absolute-form request target change the redirect host', async () => {
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const head = await rawRequest(
      t.app.server.address() as AddressInfo,
      'GET http://attacker.example.net/x HTTP/1.1\r\nHost: attacker.example.net\r\n' +
        'Connection: close\r\n\r\n',
    );

    expect(head).toMatch(/^HTTP\/1\.1 301/);
    expect(head).toMatch(/\r\nlocation: https:\/\/webtics\.example\.org\/\r\n/i);
  });
});

describe('HTTPS redirect without PUBLIC_URL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ environment: 'production' });
  });
  afterAll(() => t.close());

  it('uses the Host header, without its port', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/play/?x=1',
      remoteAddress: stranger,
      headers: { host: 'lab.example.org:8013' },
    });

    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe('https://lab.example.org/play/?x=1');
  });

  it('answers 400 for a Host header that is not a host name', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/',
      remoteAddress: stranger,
      headers: { host: 'evil.example.org@x' },
    });

    expect(res.statusCode).toBe(400);
    expect(res.headers.location).toBeUndefined();
  });
});

describe('HTTPS redirect settings', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(() => database.close());

  const build = (overrides: Partial<Config>) =>
    buildApp({ config: testConfig(overrides), db: database.db, logger: pino({ level: 'silent' }) });

  it('leaves plain HTTP alone in development', async () => {
    const app = await build({ environment: 'development' });

    const res = await app.inject({ method: 'GET', url: '/', remoteAddress: stranger });

    expect(res.statusCode).toBe(200);
    await app.close();
  });

  it('refuses an http:// PUBLIC_URL in production, which would redirect in a loop', async () => {
    const built = build({ environment: 'production', publicUrl: 'http://webtics.example.org' });

    await expect(built).rejects.toThrow(ConfigError);
    await expect(built).rejects.toThrow(/PUBLIC_URL/);
  });
});
