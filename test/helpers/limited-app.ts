import type { Kysely } from 'kysely';

import { buildApp } from '../../src/app.js';
import type { Config } from '../../src/config/config.js';
import type { Database } from '../../src/db/schema.js';
import type { App } from '../../src/routes/types.js';
import { testConfig } from './config.js';
import { captureLog, type CapturedLog } from './log-capture.js';

export interface LimitedApp {
  app: App;
  log: CapturedLog;
}

/**
 * The whole app with the given limits (the test defaults are far too high to
 * reach), its log captured; `routes` may add test-only routes before it starts.
 */
export async function startLimitedApp(
  db: Kysely<Database>,
  overrides: Partial<Config>,
  options: { redisPrefix?: string; routes?: (app: App) => void } = {},
): Promise<LimitedApp> {
  const log = captureLog();
  const app = await buildApp({
    config: testConfig(overrides),
    db,
    logger: log.logger,
    redisPrefix: options.redisPrefix,
  });
  options.routes?.(app);
  await app.ready();
  return { app, log };
}
