import Fastify from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import type { DatabaseHandle } from '../../src/db/connect.js';
import { addressHasher, clientAddress } from '../../src/http/client-address.js';
import type { App } from '../../src/routes/types.js';
import { openTestDatabase } from '../helpers/database.js';
import { startLimitedApp, type LimitedApp } from '../helpers/limited-app.js';

describe('clientAddress', () => {
  const app = Fastify();
  app.get('/', async (request) => ({ address: clientAddress(request) }));
  afterAll(() => app.close());

  const addressOf = async (remoteAddress: string) =>
    (await app.inject({ method: 'GET', url: '/', remoteAddress })).json<{ address: string }>()
      .address;

  it('counts an IPv6 client by its /64', async () => {
    expect(await addressOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::');
    expect(await addressOf('2001:db8:1:2::1')).toBe(await addressOf('2001:db8:1:2::2'));
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address', async () => {
    expect(await addressOf('::ffff:198.51.100.4')).toBe('198.51.100.4');
  });
});

describe('addressHasher', () => {
  it('gives the same pseudonym for the same secret and address, and no address', () => {
    const hash = addressHasher('a-secret')('203.0.113.5');

    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(addressHasher('a-secret')('203.0.113.5')).toBe(hash);
    expect(addressHasher('another-secret')('203.0.113.5')).not.toBe(hash);
    expect(addressHasher('a-secret')('203.0.113.6')).not.toBe(hash);
  });

  it('uses a random key when no secret is set', () => {
    expect(addressHasher(undefined)('203.0.113.5')).not.toBe(
      addressHasher(undefined)('203.0.113.5'),
    );
  });
});

describe('client address behind proxies', () => {
  let database: DatabaseHandle;
  let running: LimitedApp | undefined;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterEach(async () => {
    await running?.app.close();
    running = undefined;
  });
  afterAll(() => database.close());

  const secretKey = 'proxy-test-secret';
  const start = async (trustedProxies: string[]) => {
    running = await startLimitedApp(database.db, {
      rateLimitPerMinute: 2,
      trustedProxies,
      secretKey,
    });
    return running.app;
  };

  const fromPeer = (app: App, remoteAddress: string, forwardedFor: string) =>
    app.inject({
      method: 'GET',
      url: '/api/v1/health',
      remoteAddress,
      headers: { 'x-forwarded-for': forwardedFor },
    });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const app = await start(['10.0.0.0/8']);

    await fromPeer(app, '198.51.100.9', '203.0.113.1');
    await fromPeer(app, '198.51.100.9', '203.0.113.2');

    expect((await fromPeer(app, '198.51.100.9', '203.0.113.3')).statusCode).toBe(429);
  });

  it('ignores X-Forwarded-For from loopback when no proxy is trusted', async () => {
    const app = await start([]);

    await fromPeer(app, '127.0.0.1', '203.0.113.1');
    await fromPeer(app, '127.0.0.1', '203.0.113.2');

    expect((await fromPeer(app, '127.0.0.1', '203.0.113.3')).statusCode).toBe(429);
  });

  it('counts the forwarded client when the peer is a trusted proxy', async () => {
    const app = await start(['10.0.0.0/8']);

    await fromPeer(app, '10.1.2.3', '203.0.113.1');
    await fromPeer(app, '10.9.9.9', '203.0.113.1');

    expect((await fromPeer(app, '10.1.2.3', '203.0.113.1')).statusCode).toBe(429);
    expect((await fromPeer(app, '10.1.2.3', '203.0.113.2')).statusCode).toBe(200);
  });

  it('takes the address the trusted proxy saw, not what the client wrote before it', async () => {
    const app = await start(['10.0.0.0/8']);

    await fromPeer(app, '10.1.2.3', '192.0.2.1, 203.0.113.5');
    await fromPeer(app, '10.1.2.3', '192.0.2.2, 203.0.113.5');

    expect((await fromPeer(app, '10.1.2.3', '192.0.2.3, 203.0.113.5')).statusCode).toBe(429);
    const lines = running!.log.lines().filter((line) => line.msg === 'rate limit exceeded');
    expect(lines[0]?.address_hash).toBe(addressHasher(secretKey)('203.0.113.5'));
  });
});
