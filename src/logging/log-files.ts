import { pino, type DestinationStream, type Level, type StreamEntry } from 'pino';

import { DailyFile } from './daily-file.js';

/** Days each kind of log file is kept after its day has passed. */
export const logRetentionDays = { all: 30, errors: 90 } as const;

export interface LogFileOptions {
  dir: string;
  /** The clock that decides the day; tests move it. */
  now?: () => number;
  /** Where the lines also go as they always do; stdout unless a test catches them. */
  stdout?: DestinationStream;
}

/**
 * Where the log goes when LOG_DIR is set: stdout as always, every line in
 * `webtics-<day>.log`, and lines at level error and above also in
 * `webtics-error-<day>.log`, which is kept three times as long.
 */
export function logStreams(level: Level, files: LogFileOptions): StreamEntry[] {
  const daily = (name: string, keepDays: number) =>
    new DailyFile({ dir: files.dir, name, keepDays, now: files.now });
  return [
    { level, stream: files.stdout ?? pino.destination({ dest: 1, sync: true }) },
    { level, stream: daily('webtics', logRetentionDays.all) },
    { level: 'error', stream: daily('webtics-error', logRetentionDays.errors) },
  ];
}
