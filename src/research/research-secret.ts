import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Config } from '../config/config.js';
import { ConfigError } from '../config/config.js';

/**
 * The withdrawal secret: WITHDRAWAL_SECRET_KEY, or, outside production, one
 * made on first use and kept in DATA_DIR so that codes keep working across
 * restarts. Losing it makes every issued withdrawal code unusable.
 */
export function withdrawalSecret(config: Config): { secret: string; source: 'env' | 'file' } {
  if (config.withdrawalSecretKey !== undefined) {
    return { secret: config.withdrawalSecretKey, source: 'env' };
  }
  if (config.environment === 'production') {
    throw new ConfigError(
      'WITHDRAWAL_SECRET_KEY',
      'is required in production (webtics secrets writes one)',
    );
  }
  mkdirSync(config.dataDir, { recursive: true });
  const file = join(config.dataDir, 'withdrawal-secret');
  if (!existsSync(file)) {
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' });
  }
  return { secret: readFileSync(file, 'utf8').trim(), source: 'file' };
}
