import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DailyFile } from '../../src/logging/daily-file.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const dayMs = 86_400_000;

describe('DailyFile', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    folder = makeTempDir('webtics-logs');
    now = Date.parse('2026-03-01T23:59:59.000Z');
  });
  afterEach(() => folder.remove());

  const open = (keepDays = 30, report?: (message: string) => void) =>
    new DailyFile({ dir: folder.path, name: 'webtics', keepDays, now: clock, report });
  const read = (name: string) => readFileSync(join(folder.path, name), 'utf8');

  it('writes to the file of the UTC day and starts a new file at midnight', () => {
    const file = open();

    file.write('{"n":1}\n');
    now += 1000;
    file.write('{"n":2}\n');
    file.close();

    expect(read('webtics-2026-03-01.log')).toBe('{"n":1}\n');
    expect(read('webtics-2026-03-02.log')).toBe('{"n":2}\n');
  });

  it("appends to the day's file after a restart instead of replacing it", () => {
    open().write('before\n');
    open().write('after\n');

    expect(read('webtics-2026-03-01.log')).toBe('before\nafter\n');
  });

  it('deletes files more than keepDays days old at start and at each new day', () => {
    for (const day of ['2026-01-29', '2026-01-30', '2026-01-31', '2026-02-01']) {
      writeFileSync(join(folder.path, `webtics-${day}.log`), 'old\n');
    }
    writeFileSync(join(folder.path, 'webtics-error-2026-01-01.log'), 'another kind\n');
    writeFileSync(join(folder.path, 'notes.txt'), 'not a log\n');

    const file = open(30);
    const afterStart = readdirSync(folder.path).sort();
    now += 1000;
    file.write('next day\n');

    expect(afterStart).toEqual([
      'notes.txt',
      'webtics-2026-01-30.log',
      'webtics-2026-01-31.log',
      'webtics-2026-02-01.log',
      'webtics-2026-03-01.log',
      'webtics-error-2026-01-01.log',
    ]);
    expect(readdirSync(folder.path).sort()).toEqual([
      'notes.txt',
      'webtics-2026-01-31.log',
      'webtics-2026-02-01.log',
      'webtics-2026-03-01.log',
      'webtics-2026-03-02.log',
      'webtics-error-2026-01-01.log',
    ]);
  });

  it('keeps a month of daily files when the server runs for 100 days', () => {
    const file = open(30);
    for (let day = 0; day < 100; day += 1) {
      file.write(`day ${day}\n`);
      now += dayMs;
    }
    file.close();

    const files = readdirSync(folder.path).sort();
    expect(files).toHaveLength(31);
    expect(files[0]).toBe('webtics-2026-05-09.log');
    expect(files.at(-1)).toBe('webtics-2026-06-08.log');
  });

  it('reports a file it cannot open once, and writes again on a later day', () => {
    const reports: string[] = [];
    const file = open(30, (message) => reports.push(message));
    mkdirSync(join(folder.path, 'webtics-2026-03-02.log'));

    now += 1000;
    file.write('lost\n');
    now += 60_000;
    file.write('lost too\n');
    now += dayMs;
    file.write('written\n');

    expect(reports).toEqual([expect.stringMatching(/cannot open a new log file .*EISDIR/)]);
    expect(read('webtics-2026-03-03.log')).toBe('written\n');
  });

  it('refuses to start on a folder that cannot be made', () => {
    const blocker = join(folder.path, 'a-file');
    writeFileSync(blocker, '');

    expect(
      () => new DailyFile({ dir: join(blocker, 'logs'), name: 'webtics', keepDays: 30 }),
    ).toThrow(/ENOTDIR/);
  });
});
