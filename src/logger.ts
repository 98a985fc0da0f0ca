import { pino, type Logger } from 'pino';

import type { LogLevel } from './config/config.js';

/** Paths that could hold a secret or a payload, wherever a log object carries them. */
export const redactedPaths = [
  'req.headers["x-api-key"]',
  'req.headers.authorization',
  'headers["x-api-key"]',
  'key',
  'apiKey',
  'withdrawal_code',
  'body',
  'payload',
];

/**
 * Errors are logged by an allow-list of fields: some drivers attach the
 * failed query's parameters, which can hold key hashes or event payloads.
 */
export function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const extra = error as Error & { code?: unknown; constraint?: unknown; routine?: unknown };
  return {
    type: error.name,
    message: error.message,
    stack: error.stack,
    code: extra.code,
    constraint: extra.constraint,
    routine: extra.routine,
    cause: error.cause === undefined ? undefined : safeError(error.cause),
  };
}

/** JSON lines on stdout: an object first, a short fixed message second. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'webtics' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: { err: safeError },
  });
}
