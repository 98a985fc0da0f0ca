import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { ConfigError, loadConfig, loadDotEnv } from '../../src/config/config.js';
import { makeTempDir, snapshotEnv } from '../helpers/temp-dir.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  it('falls back to local development defaults when nothing is set', () => {
    expect(loadConfig({})).toEqual({
      port: 8013,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: resolve('data'),
      environment: 'development',
      logLevel: 'info',
      redisUrl: undefined,
      trustedProxies: [],
      rateLimitPerMinute: 100,
      rateLimitIngestPerMinute: 600,
      rateLimitCodeAttemptsPerMinute: 5,
      allowedOrigins: [],
      publicUrl: undefined,
      tlsCertFile: undefined,
      tlsKeyFile: undefined,
      secretKey: undefined,
      withdrawalSecretKey: undefined,
      webticsApiKey: undefined,
      logDir: undefined,
      metricsPort: undefined,
    });
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', HOST: '', LOG_LEVEL: '' })).toMatchObject({
      port: 8013,
      host: '127.0.0.1',
      logLevel: 'info',
    });
  });

  it('reads every variable when each is valid', () => {
    const config = loadConfig({
      PORT: '65535',
      HOST: '::1',
      DATABASE_URL: 'postgresql://user@127.0.0.1:5432/webtics',
      DATA_DIR: '/srv/webtics',
      ENVIRONMENT: 'production',
      LOG_LEVEL: 'silent',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8,::1',
      RATE_LIMIT_PER_MINUTE: '50',
      RATE_LIMIT_INGEST_PER_MINUTE: '5000',
      RATE_LIMIT_CODE_ATTEMPTS_PER_MINUTE: '3',
      ALLOWED_ORIGINS: 'https://games.example.org,http://localhost:5173',
      PUBLIC_URL: 'https://webtics.example.org',
      TLS_CERT_FILE: '/etc/webtics/cert.pem',
      TLS_KEY_FILE: '/etc/webtics/key.pem',
      SECRET_KEY: 'k'.repeat(43),
      WITHDRAWAL_SECRET_KEY: 'w'.repeat(43),
      WEBTICS_API_KEY: 'a'.repeat(43),
      LOG_DIR: '/var/log/webtics',
      METRICS_PORT: '9464',
    });

    expect(config).toEqual({
      port: 65535,
      host: '::1',
      databaseUrl: 'postgresql://user@127.0.0.1:5432/webtics',
      dataDir: '/srv/webtics',
      environment: 'production',
      logLevel: 'silent',
      redisUrl: 'redis://127.0.0.1:6379/0',
      trustedProxies: ['127.0.0.1', '10.0.0.0/8', '::1'],
      rateLimitPerMinute: 50,
      rateLimitIngestPerMinute: 5000,
      rateLimitCodeAttemptsPerMinute: 3,
      allowedOrigins: ['https://games.example.org', 'http://localhost:5173'],
      publicUrl: 'https://webtics.example.org',
      tlsCertFile: '/etc/webtics/cert.pem',
      tlsKeyFile: '/etc/webtics/key.pem',
      secretKey: 'k'.repeat(43),
      withdrawalSecretKey: 'w'.repeat(43),
      webticsApiKey: 'a'.repeat(43),
      logDir: '/var/log/webtics',
      metricsPort: 9464,
    });
  });

  it.each([
    ['TRUSTED_PROXIES', '10.0.0.0/33'],
    ['TRUSTED_PROXIES', 'proxy.example.org'],
    ['ALLOWED_ORIGINS', 'https://games.example.org/path'],
    ['ALLOWED_ORIGINS', 'games.example.org'],
    ['RATE_LIMIT_PER_MINUTE', '0'],
    ['RATE_LIMIT_INGEST_PER_MINUTE', '1.5'],
    ['REDIS_URL', 'http://127.0.0.1:6379'],
    ['PUBLIC_URL', 'webtics.example.org'],
    ['SECRET_KEY', 'has a space'],
    ['METRICS_PORT', '70000'],
  ])('stops on %s=%j, naming the variable', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable}: `));
  });

  it('accepts port 0, which asks the system for a free port', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it.each(['localhost', '0.0.0.0', '::'])('accepts %s as HOST', (host) => {
    expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it('turns a relative DATA_DIR into an absolute path', () => {
    expect(loadConfig({ DATA_DIR: 'var/db' }).dataDir).toBe(resolve('var/db'));
  });

  it.each([
    ['a port above 65535', 'PORT', '65536'],
    ['a negative port', 'PORT', '-1'],
    ['a port with a fraction', 'PORT', '80.5'],
    ['a port that is a word', 'PORT', 'http'],
    ['a host name that is not localhost', 'HOST', 'example.org'],
    ['a database URL of another kind', 'DATABASE_URL', 'mysql://127.0.0.1/webtics'],
    ['a database URL with nothing after the scheme', 'DATABASE_URL', 'postgres://'],
    ['a DATA_DIR of only spaces', 'DATA_DIR', '   '],
    ['an unknown environment', 'ENVIRONMENT', 'staging'],
    ['an unknown log level', 'LOG_LEVEL', 'verbose'],
  ])('rejects %s with a ConfigError naming the variable', (_case, variable, value) => {
    const error = configError({ [variable]: value });

    expect(error.variable).toBe(variable);
    expect(error.message).toMatch(new RegExp(`^${variable}: must `));
  });

  it('does not repeat a rejected DATABASE_URL, which may hold a password', () => {
    const error = configError({ DATABASE_URL: 'mysql://admin:s3cret@127.0.0.1/db' });

    expect(error.message).not.toContain('s3cret');
  });

  it('names the first bad variable when several are bad', () => {
    expect(configError({ PORT: 'x', LOG_LEVEL: 'y' }).variable).toBe('PORT');
  });
});

describe('loadDotEnv', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let restoreEnv: () => void;
  const cwd = process.cwd();

  beforeEach(() => {
    folder = makeTempDir('webtics-dotenv');
    restoreEnv = snapshotEnv();
    writeFileSync(
      join(folder.path, '.env'),
      'WEBTICS_TEST_FROM_FILE=file\nWEBTICS_TEST_PRESET=file\nWEBTICS_TEST_BLANK=file\n',
    );
  });

  afterEach(() => {
    process.chdir(cwd);
    restoreEnv();
    folder.remove();
  });

  it('loads variables from .env in the working folder', () => {
    process.chdir(folder.path);

    loadDotEnv();

    expect(process.env.WEBTICS_TEST_FROM_FILE).toBe('file');
  });

  it('keeps a variable that is already set', () => {
    process.env.WEBTICS_TEST_PRESET = 'environment';

    loadDotEnv(join(folder.path, '.env'));

    expect(process.env.WEBTICS_TEST_PRESET).toBe('environment');
    expect(process.env.WEBTICS_TEST_FROM_FILE).toBe('file');
  });

  it('keeps a variable that is set to the empty string', () => {
    process.env.WEBTICS_TEST_BLANK = '';

    loadDotEnv(join(folder.path, '.env'));

    expect(process.env.WEBTICS_TEST_BLANK).toBe('');
  });

  it('does nothing when the file does not exist', () => {
    expect(() => loadDotEnv(join(folder.path, 'missing.env'))).not.toThrow();
    expect(process.env.WEBTICS_TEST_FROM_FILE).toBeUndefined();
  });
});
