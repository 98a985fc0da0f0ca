import { loadConfig, type Config } from '../../src/config/config.js';

/** The defaults every operator starts from, in test mode, with any setting changed. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    ...loadConfig({ ENVIRONMENT: 'test', LOG_LEVEL: 'silent' }),
    // Suites send hundreds of requests through one app; rate-limit tests set low limits.
    rateLimitPerMinute: 1_000_000,
    rateLimitIngestPerMinute: 1_000_000,
    withdrawalSecretKey: 'test-withdrawal-secret-not-for-production',
    ...overrides,
  };
}
