import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { Config } from '../src/config/config.js';
import { testConfig } from './helpers/config.js';
import { startServer, type RunningServer } from '../src/server.js';
import { onServer, openTestDatabase } from './helpers/database.js';
import { makeTempDir } from './helpers/temp-dir.js';

const logger = pino({ level: 'silent' });

function configFor(target: { dataDir: string; databaseUrl?: string }): Config {
  return testConfig({ port: 0, databaseUrl: target.databaseUrl, dataDir: target.dataDir });
}

async function start(config: Config) {
  const printed: string[] = [];
  const server = await startServer(config, logger, (text) => printed.push(text));
  return { server, printed };
}

describe.skipIf(onServer)('startServer on a new embedded data dir', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let running: RunningServer;
  let printed: string[];

  beforeAll(async () => {
    folder = makeTempDir('webtics-server');
    ({ server: running, printed } = await start(configFor({ dataDir: folder.path })));
  });
  afterAll(async () => {
    await running.stop();
    folder.remove();
  });

  it('listens on 127.0.0.1 at the port the system chose', () => {
    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*$/);
  });

  it('prints the demo banner once, with an ingest key, an admin key and a play link', () => {
    const ingest = /ingest key \(demo study\): (wt_ingest_\S+)/.exec(printed[0] ?? '')?.[1];

    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/admin key {2}\(everything\): wt_admin_\S+/);
    expect(printed[0]).toContain(`${running.url}/play/#key=${ingest}`);
  });

  it('answers GET /api/v1/health over a real socket', async () => {
    const res = await fetch(`${running.url}/api/v1/health`);

    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('accepts the admin key from the banner', async () => {
    const adminKey = /wt_admin_\S+/.exec(printed[0] ?? '')![0];

    const res = await fetch(`${running.url}/api/v1/keys`, { headers: { 'x-api-key': adminKey } });

    expect(res.status).toBe(200);
  });

  it('closes the socket on stop and shows no keys on the next start, only where to play', async () => {
    const oldUrl = running.url;
    await running.stop();
    await expect(fetch(`${oldUrl}/api/v1/health`)).rejects.toThrow();

    ({ server: running, printed } = await start(configFor({ dataDir: folder.path })));

    expect(printed).toEqual([
      `WebTics is running at ${running.url} (reaction-time test: ${running.url}/play/)`,
    ]);
    expect((await fetch(`${running.url}/api/v1/health`)).status).toBe(200);
  });
});

describe.runIf(onServer)('startServer on a PostgreSQL server', () => {
  it('prints no keys, only how to make a first one, and answers GET /api/v1/health', async () => {
    const database = await openTestDatabase();
    const folder = makeTempDir('webtics-server');
    const config = configFor({ dataDir: folder.path, databaseUrl: database.url! });
    const { server, printed } = await start(config);

    try {
      const res = await fetch(`${server.url}/api/v1/health`);
      expect(res.status).toBe(200);
      expect(printed.join('\n')).toMatch(/empty database[\s\S]*keys create --role admin/);
      expect(printed.join('\n')).not.toMatch(/wt_(admin|ingest)_/);
    } finally {
      await server.stop();
      await database.close();
      folder.remove();
    }
  });
});
