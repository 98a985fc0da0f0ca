import { pino, type Logger, type LoggerOptions } from 'pino';

import type { LogLevel } from './config/config.js';
import { logStreams, type LogFileOptions } from './logging/log-files.js';
import { scrubSecrets } from './logging/scrub.js';

// Secrets and payloads by name, at the top of a log object and one level down.
const secretNames = [
  'key',
  'apiKey',
  'api_key',
  'secret',
  'secretKey',
  'secret_key',
  'password',
  'withdrawal_code',
  'withdrawalCode',
  'code_hash',
  'body',
  'payload',
  'data',
];

/** Paths that could hold a secret or a payload, wherever a log object carries them. */
export const redactedPaths = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
  ...secretNames,
  ...secretNames.map((name) => `*.${name}`),
];

/**
 * Errors are logged by an allow-list of fields: some drivers attach the
 * failed query's parameters, which can hold key hashes or event payloads.
 * A message may still quote a key it was given, so message and stack are
 * scrubbed too.
 */
export function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: scrubSecrets(String(error)) };
  const extra = error as Error & { code?: unknown; constraint?: unknown; routine?: unknown };
  return {
    type: error.name,
    message: scrubSecrets(error.message),
    stack: error.stack === undefined ? undefined : scrubSecrets(error.stack),
    code: extra.code,
    constraint: extra.constraint,
    routine: extra.routine,
    cause: error.cause === undefined ? undefined : safeError(error.cause),
  };
}

/**
 * JSON lines on stdout, and in daily files when a folder is given (LOG_DIR):
 * an object first, a short fixed message second.
 */
export function createLogger(level: LogLevel, files: Partial<LogFileOptions> = {}): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'webtics' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: { err: safeError },
  };
  if (files.dir === undefined || level === 'silent') return pino(options);
  return pino(options, pino.multistream(logStreams(level, { ...files, dir: files.dir })));
}
