import { closeSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface DailyFileOptions {
  /** Folder of the files; made if it is missing. */
  dir: string;
  /** What comes before the date: `webtics` writes `webtics-2026-03-01.log`. */
  name: string;
  /** A file is deleted once its day is more than this many days before today. */
  keepDays: number;
  /** Milliseconds since the epoch; tests move it instead of waiting for midnight. */
  now?: () => number;
  /** Where a failing write or deletion is told (stderr by default). */
  report?: (message: string) => void;
}

const dayMs = 86_400_000;
const datedFile = /^(\d{4}-\d{2}-\d{2})\.log$/;

/** The UTC day of a moment, as `YYYY-MM-DD` (which also sorts as text). */
function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function reason(error: unknown): string {
  return (error as { code?: string }).code ?? String(error);
}

/**
 * A pino destination writing one file per UTC day, which deletes files past
 * their retention when it opens a new day's file (and at start).
 *
 * Writes are synchronous, as pino's stdout is: a line is handed to the system
 * before the log call returns, so a crash right after loses nothing. A file
 * that cannot be written is reported on stderr and the server goes on
 * serving; stdout still has every line.
 */
export class DailyFile {
  private fd: number | undefined;
  private nextDayAt = 0;
  private failing = false;
  private readonly now: () => number;
  private readonly report: (message: string) => void;

  constructor(private readonly options: DailyFileOptions) {
    this.now = options.now ?? Date.now;
    this.report = options.report ?? ((message) => process.stderr.write(`webtics: ${message}\n`));
    // A folder that cannot be made or written stops the start, with the path.
    mkdirSync(options.dir, { recursive: true, mode: 0o750 });
    this.open(this.now());
  }

  /** The path of the file for a day (`YYYY-MM-DD`). */
  pathFor(day: string): string {
    return join(this.options.dir, `${this.options.name}-${day}.log`);
  }

  write(line: string): void {
    const now = this.now();
    if (now >= this.nextDayAt) this.rollOver(now);
    if (this.fd === undefined) return;

    try {
      writeSync(this.fd, line);
      this.failing = false;
    } catch (error) {
      this.fail(`cannot write log file in ${this.options.dir} (${reason(error)})`);
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private open(now: number): void {
    const day = dayOf(now);
    this.fd = openSync(this.pathFor(day), 'a', 0o640);
    this.nextDayAt = Date.parse(day) + dayMs;
    this.deleteExpired(now);
  }

  private rollOver(now: number): void {
    this.close();
    try {
      this.open(now);
    } catch (error) {
      // Try again on the next line rather than on every line of the day.
      this.nextDayAt = now + 60_000;
      this.fail(`cannot open a new log file in ${this.options.dir} (${reason(error)})`);
    }
  }

  private deleteExpired(now: number): void {
    const oldestKept = dayOf(now - this.options.keepDays * dayMs);
    const prefix = `${this.options.name}-`;
    try {
      for (const entry of readdirSync(this.options.dir)) {
        if (!entry.startsWith(prefix)) continue;
        const day = datedFile.exec(entry.slice(prefix.length))?.[1];
        if (day !== undefined && day < oldestKept) rmSync(join(this.options.dir, entry));
      }
    } catch (error) {
      this.fail(`cannot delete old log files in ${this.options.dir} (${reason(error)})`);
    }
  }

  /** Tells a failure once, until a write succeeds again. */
  private fail(message: string): void {
    if (this.failing) return;
    this.failing = true;
    this.report(message);
  }
}
