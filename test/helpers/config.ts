import { loadConfig, type Config } from '../../src/config/config.js';

/** The defaults every operator starts from, in test mode, with any setting changed. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ ENVIRONMENT: 'test', LOG_LEVEL: 'silent' }), ...overrides };
}
