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

/** JSON lines on stdout: an object first, a short fixed message second. */
export function createLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'webtics' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: '[redacted]' },
  });
}
