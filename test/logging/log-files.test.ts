import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { buildApp } from '../../src/app.js';
import { createLogger } from '../../src/logger.js';
import { testConfig } from '../helpers/config.js';
import { openTestDatabase } from '../helpers/database.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const adminKey = `wt_admin_${'A'.repeat(43)}`;
const dayMs = 86_400_000;

describe('log files (LOG_DIR)', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let now: number;
  let stdout: string;

  beforeEach(() => {
    folder = makeTempDir('webtics-logs');
    now = Date.parse('2026-03-01T12:00:00.000Z');
    stdout = '';
  });
  afterEach(() => folder.remove());

  const logger = (level: 'info' | 'error' = 'info') =>
    createLogger(level, {
      dir: folder.path,
      now: () => now,
      stdout: { write: (line: string) => void (stdout += line) },
    });
  const lines = (name: string) =>
    readFileSync(join(folder.path, name), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it('writes every line to stdout and the daily file, and errors also to the error file', () => {
    const log = logger();

    log.info({ route: '/a' }, 'request done');
    log.warn('slow');
    log.error({ grace_ms: 10 }, 'shutdown took too long; exiting');
    log.fatal('gone');

    const all = lines('webtics-2026-03-01.log');
    expect(all.map((line) => line.msg)).toEqual([
      'request done',
      'slow',
      'shutdown took too long; exiting',
      'gone',
    ]);
    expect(all[0]).toMatchObject({ level: 30, service: 'webtics', route: '/a' });
    expect(lines('webtics-error-2026-03-01.log').map((line) => line.msg)).toEqual([
      'shutdown took too long; exiting',
      'gone',
    ]);
    expect(stdout.trim().split('\n')).toHaveLength(4);
  });

  it('leaves out lines below the configured level from every file', () => {
    const log = logger('error');

    log.info('not kept');
    log.error('kept');

    expect(lines('webtics-2026-03-01.log').map((line) => line.msg)).toEqual(['kept']);
  });

  it('keeps all logs 30 days and error logs 90 days', () => {
    const old = (name: string, daysAgo: number) =>
      writeFileSync(
        join(
          folder.path,
          `${name}-${new Date(now - daysAgo * dayMs).toISOString().slice(0, 10)}.log`,
        ),
        '',
      );
    for (const daysAgo of [30, 31, 89, 90, 91]) {
      old('webtics', daysAgo);
      old('webtics-error', daysAgo);
    }

    logger().error('now');

    expect(readdirSync(folder.path).sort()).toEqual([
      'webtics-2026-01-30.log', // 30 days ago: kept; 31 days ago: deleted
      'webtics-2026-03-01.log',
      'webtics-error-2025-12-01.log',
      'webtics-error-2025-12-02.log',
      'webtics-error-2026-01-29.log',
      'webtics-error-2026-01-30.log',
      'webtics-error-2026-03-01.log',
    ]);
  });

  it('moves to the next day in both files at UTC midnight', () => {
    const log = logger();
    log.error('first');
    now = Date.parse('2026-03-02T00:00:00.000Z');
    log.error('second');

    expect(lines('webtics-error-2026-03-01.log').map((line) => line.msg)).toEqual(['first']);
    expect(lines('webtics-error-2026-03-02.log').map((line) => line.msg)).toEqual(['second']);
    expect(lines('webtics-2026-03-02.log').map((line) => line.msg)).toEqual(['second']);
  });

  it('redacts keys, codes and payloads in the files as on stdout', () => {
    const log = logger();

    log.error(
      {
        key: adminKey,
        req: { headers: { 'x-api-key': adminKey, authorization: `Bearer ${adminKey}` } },
        consent: { withdrawal_code: 'code-1234', participant: 'p-1' },
        event: { data: { diagnosis: 'ADHD' }, event_type: 102 },
        body: [{ data: 'payload' }],
      },
      'request failed',
    );

    for (const name of ['webtics-2026-03-01.log', 'webtics-error-2026-03-01.log']) {
      const text = readFileSync(join(folder.path, name), 'utf8');
      expect(text).not.toMatch(/AAAA|code-1234|ADHD|payload/);
      expect(JSON.parse(text)).toMatchObject({
        consent: { withdrawal_code: '[redacted]', participant: 'p-1' },
        event: { data: '[redacted]', event_type: 102 },
      });
    }
    expect(stdout).not.toMatch(/AAAA|code-1234|ADHD|payload/);
  });

  it('logs a failed request in the error file without the key its message quotes', async () => {
    const database = await openTestDatabase();
    const app = await buildApp({ config: testConfig(), db: database.db, logger: logger() });
    app.get('/fails', { config: { public: true } }, async () => {
      throw new Error(`lookup failed for ${adminKey}`);
    });

    const res = await app.inject({ method: 'GET', url: '/fails' });
    await app.close();
    await database.close();

    const [failure] = lines('webtics-error-2026-03-01.log');
    expect(res.statusCode).toBe(500);
    expect(failure).toMatchObject({
      msg: 'request failed',
      request_id: res.headers['x-request-id'],
      err: { message: 'lookup failed for wt_admin_[redacted]' },
    });
    expect(JSON.stringify(failure)).not.toContain('AAAA');
    expect(lines('webtics-2026-03-01.log').map((line) => line.msg)).toEqual(
      expect.arrayContaining(['request failed', 'request done']),
    );
  });
});
