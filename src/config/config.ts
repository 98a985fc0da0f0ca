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
  const config: Config = {
    port: read(env, settings.port),
    host: read(env, settings.host),
    databaseUrl: read(env, settings.databaseUrl),
    dataDir: read(env, settings.dataDir),
    environment: read(env, settings.environment),
    logLevel: read(env, settings.logLevel),
  };
  return { ...config, dataDir: resolve(config.dataDir) };
}

/** Loads `.env` from the working folder into process.env, without overriding what is already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

/** The variables and their meaning, for `.env.example`, the README and `--help`. */
export const configVariables = Object.values(settings).map((setting) => ({
  variable: setting.variable,
  fallback: setting.fallback,
  rule: setting.rule,
}));
