import { pino } from 'pino';

import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config/config.js';
import { testConfig } from './config.js';
import type { DatabaseHandle } from '../../src/db/connect.js';
import type { App } from '../../src/routes/types.js';
import { openTestDatabase, resetDatabase } from './database.js';

export interface TestApp {
  app: App;
  database: DatabaseHandle;
  db: DatabaseHandle['db'];
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** The whole app on a fresh test database, answering in-process requests (no socket). */
export async function createTestApp(config: Partial<Config> = {}): Promise<TestApp> {
  const database = await openTestDatabase();
  const app = await buildApp({
    config: testConfig(config),
    db: database.db,
    logger: pino({ level: 'silent' }),
  });
  await app.ready();
  return {
    app,
    database,
    db: database.db,
    reset: () => resetDatabase(database),
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}

/** JSON request headers with a key. */
export function withKey(key: string): Record<string, string> {
  return { 'x-api-key': key, 'content-type': 'application/json' };
}
