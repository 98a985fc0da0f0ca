import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';

export type Environment = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  environment: Environment;
  logLevel: LogLevel;
  /** Shared rate-limit counters across processes; in memory when unset. */
  redisUrl: string | undefined;
  /** Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (IPs or CIDRs). */
  trustedProxies: string[];
  rateLimitPerMinute: number;
  rateLimitIngestPerMinute: number;
  /** Withdrawal and data-download attempts per client address and minute. */
  rateLimitCodeAttemptsPerMinute: number;
  /** Origins allowed to call the API from a browser; empty means same origin only. */
  allowedOrigins: string[];
  /** The address people use (https://…); the target of HTTPS redirects in production. */
  publicUrl: string | undefined;
  tlsCertFile: string | undefined;
  tlsKeyFile: string | undefined;
  /** Server secret for keyed hashes (abuse-log addresses and the like). */
  secretKey: string | undefined;
  /** Key of the withdrawal-code hashes and the receipt signing key. Never change it once used. */
  withdrawalSecretKey: string | undefined;
  /** An admin key given by the operator, kept only hashed in memory. */
  webticsApiKey: string | undefined;
  /** Folder for daily-rotated JSON log files, besides stdout. */
  logDir: string | undefined;
  /** Port for /metrics on 127.0.0.1 only; unset: /metrics on the main port with an admin key. */
  metricsPort: number | undefined;
}

/** Raised when an environment variable is missing or malformed; names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly rule: string,
  ) {
    super(`${variable}: ${rule}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

interface Setting<T> {
  variable: string;
  fallback: T;
  parse: (raw: string) => T | undefined;
  rule: string;
}

const environments = ['development', 'production', 'test'] as const;
const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function oneOf<T extends string>(values: readonly T[]) {
  return (raw: string): T | undefined => values.find((value) => value === raw);
}

function parsePort(raw: string): number | undefined {
  if (!/^\d{1,5}$/.test(raw)) return undefined;
  const port = Number(raw);
  return port <= 65535 ? port : undefined;
}

function parseHost(raw: string): string | undefined {
  return raw === 'localhost' || isIP(raw) !== 0 ? raw : undefined;
}

function parseDatabaseUrl(raw: string): string | undefined {
  return /^postgres(ql)?:\/\/\S+$/.test(raw) ? raw : undefined;
}

function parseList(raw: string): string[] | undefined {
  const items = raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return items.length > 0 ? items : undefined;
}

function parseProxies(raw: string): string[] | undefined {
  const items = parseList(raw);
  const valid = (item: string) => {
    const [address = '', bits, extra] = item.split('/');
    const family = isIP(address);
    if (family === 0 || extra !== undefined) return false;
    return (
      bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128))
    );
  };
  return items?.every(valid) ? items : undefined;
}

function parseOrigins(raw: string): string[] | undefined {
  const items = parseList(raw);
  const valid = (item: string) => item === '*' || /^https?:\/\/[^/\s]+$/.test(item);
  return items?.every(valid) ? items : undefined;
}

function parsePerMinute(raw: string): number | undefined {
  if (!/^\d{1,7}$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= 1 ? value : undefined;
}

function parseSecret(raw: string): string | undefined {
  return /^\S+$/.test(raw) ? raw : undefined;
}

function parseFile(raw: string): string | undefined {
  return raw.trim() === '' ? undefined : resolve(raw);
}

const settings = {
  port: {
    variable: 'PORT',
    fallback: 8013,
    parse: parsePort,
    rule: 'must be a port number from 0 to 65535',
  },
  host: {
    variable: 'HOST',
    fallback: '127.0.0.1',
    parse: parseHost,
    rule: 'must be an IP address (for example 127.0.0.1 or 0.0.0.0) or localhost',
  },
  databaseUrl: {
    variable: 'DATABASE_URL',
    fallback: undefined,
    parse: parseDatabaseUrl,
    rule: 'must be a postgres:// or postgresql:// connection URL, or unset for the embedded database',
  },
  dataDir: {
    variable: 'DATA_DIR',
    fallback: './data',
    parse: (raw: string) => (raw.trim() === '' ? undefined : raw),
    rule: 'must be a folder path',
  },
  environment: {
    variable: 'ENVIRONMENT',
    fallback: 'development',
    parse: oneOf(environments),
    rule: `must be one of ${environments.join(', ')}`,
  },
  logLevel: {
    variable: 'LOG_LEVEL',
    fallback: 'info',
    parse: oneOf(logLevels),
    rule: `must be one of ${logLevels.join(', ')}`,
  },
  redisUrl: {
    variable: 'REDIS_URL',
    fallback: undefined,
    parse: (raw: string) => (/^rediss?:\/\/\S+$/.test(raw) ? raw : undefined),
    rule: 'must be a redis:// or rediss:// URL, or unset for in-memory rate limits',
  },
  trustedProxies: {
    variable: 'TRUSTED_PROXIES',
    fallback: [],
    parse: parseProxies,
    rule: 'must be a comma-separated list of IP addresses or CIDR ranges (like 127.0.0.1,10.0.0.0/8)',
  },
  rateLimitPerMinute: {
    variable: 'RATE_LIMIT_PER_MINUTE',
    fallback: 100,
    parse: parsePerMinute,
    rule: 'must be a whole number of requests from 1 up',
  },
  rateLimitIngestPerMinute: {
    variable: 'RATE_LIMIT_INGEST_PER_MINUTE',
    fallback: 600,
    parse: parsePerMinute,
    rule: 'must be a whole number of requests from 1 up',
  },
  rateLimitCodeAttemptsPerMinute: {
    variable: 'RATE_LIMIT_CODE_ATTEMPTS_PER_MINUTE',
    fallback: 5,
    parse: parsePerMinute,
    rule: 'must be a whole number of attempts from 1 up',
  },
  allowedOrigins: {
    variable: 'ALLOWED_ORIGINS',
    fallback: [],
    parse: parseOrigins,
    rule: 'must be a comma-separated list of origins like https://games.example.org (no path)',
  },
  publicUrl: {
    variable: 'PUBLIC_URL',
    fallback: undefined,
    parse: (raw: string) => (/^https?:\/\/[^/\s]+$/.test(raw) ? raw : undefined),
    rule: 'must be the origin people use, like https://webtics.example.org (no path)',
  },
  tlsCertFile: {
    variable: 'TLS_CERT_FILE',
    fallback: undefined,
    parse: parseFile,
    rule: 'must be the path of a PEM certificate file',
  },
  tlsKeyFile: {
    variable: 'TLS_KEY_FILE',
    fallback: undefined,
    parse: parseFile,
    rule: 'must be the path of a PEM private key file',
  },
  secretKey: {
    variable: 'SECRET_KEY',
    fallback: undefined,
    parse: parseSecret,
    rule: 'must be a random string without spaces (webtics secrets writes one)',
  },
  withdrawalSecretKey: {
    variable: 'WITHDRAWAL_SECRET_KEY',
    fallback: undefined,
    parse: parseSecret,
    rule: 'must be a random string without spaces (webtics secrets writes one)',
  },
  webticsApiKey: {
    variable: 'WEBTICS_API_KEY',
    fallback: undefined,
    parse: parseSecret,
    rule: 'must be a random string without spaces (webtics secrets writes one)',
  },
  logDir: {
    variable: 'LOG_DIR',
    fallback: undefined,
    parse: parseFile,
    rule: 'must be a folder path',
  },
  metricsPort: {
    variable: 'METRICS_PORT',
    fallback: undefined,
    parse: parsePort,
    rule: 'must be a port number from 0 to 65535',
  },
} satisfies { [K in keyof Config]: Setting<Config[K]> };

function read<T>(env: Env, setting: Setting<T>): T {
  const raw = env[setting.variable];
  if (raw === undefined || raw === '') return setting.fallback;

  const value = setting.parse(raw);
  if (value === undefined) throw new ConfigError(setting.variable, setting.rule);
  return value;
}

/** Reads and checks every setting once; throws a ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const config = Object.fromEntries(
    Object.entries(settings).map(([name, setting]) => [
      name,
      read(env, setting as Setting<unknown>),
    ]),
  ) as unknown as Config;
  return { ...config, dataDir: resolve(config.dataDir) };
}

/** Loads `.env` from the working folder into process.env; what is already set wins. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** The variables and their meaning, for `.env.example`, the README and `--help`. */
export const configVariables = Object.values(settings).map((setting) => ({
  variable: setting.variable,
  fallback: setting.fallback,
  rule: setting.rule,
}));
