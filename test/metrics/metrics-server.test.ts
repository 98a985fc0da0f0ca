import { createServer, type Server } from 'node:net';

import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Config } from '../../src/config/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { testConfig } from '../helpers/config.js';
import { onServer, openTestDatabase } from '../helpers/database.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { sample } from './sample.js';

const logger = pino({ level: 'silent' });

async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, server };
}

describe('METRICS_PORT', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let database: Awaited<ReturnType<typeof openTestDatabase>> | undefined;
  let config: (metricsPort: number) => Config;
  let running: RunningServer;

  beforeAll(async () => {
    folder = makeTempDir('webtics-metrics');
    database = onServer ? await openTestDatabase() : undefined;
    config = (metricsPort) =>
      testConfig({ port: 0, metricsPort, dataDir: folder.path, databaseUrl: database?.url });
    running = await startServer(config(0), logger, () => undefined);
  });
  afterAll(async () => {
    await running.stop();
    await database?.close();
    folder.remove();
  });

  it('serves /metrics without a key on 127.0.0.1, with the database connections', async () => {
    const res = await fetch(`${running.metricsUrl}/metrics`);
    const text = await res.text();

    expect(running.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const kind = onServer ? 'server' : 'embedded';
    expect(sample(text, 'webtics_db_connections', { kind, state: 'total' })).toBeGreaterThan(0);
  });

  it('still needs an admin key for /metrics on the main port', async () => {
    const res = await fetch(`${running.url}/metrics`);

    expect(res.status).toBe(401);
  });

  it('answers nothing else on the metrics port', async () => {
    const other = await fetch(`${running.metricsUrl}/api/v1/health`);
    const post = await fetch(`${running.metricsUrl}/metrics`, { method: 'POST' });

    expect(other.status).toBe(404);
    expect(post.status).toBe(405);
  });

  it('refuses to start on a busy metrics port and leaves the database free', async () => {
    const busy = await occupiedPort();
    await running.stop();

    try {
      await expect(startServer(config(busy.port), logger, () => undefined)).rejects.toThrow(
        /EADDRINUSE/,
      );
    } finally {
      busy.server.close();
    }
    running = await startServer(config(0), logger, () => undefined);

    expect((await fetch(`${running.metricsUrl}/metrics`)).status).toBe(200);
  });

  it('closes the metrics port on stop', async () => {
    const url = running.metricsUrl;
    await running.stop();

    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
    running = await startServer(config(0), logger, () => undefined);
  });
});
