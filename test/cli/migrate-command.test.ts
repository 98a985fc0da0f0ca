import { spawn } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { withDatabase } from '../../src/cli/with-database.js';
import { onServer } from '../helpers/database.js';
import { cli, useCliDatabase } from '../helpers/cli.js';

function appliedMigrations() {
  return withDatabase(async ({ db }) => {
    const result = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    return result.rows.map((row) => row.name);
  });
}

describe('webtics migrate', () => {
  const { dataDir } = useCliDatabase();

  it('brings the schema up to date and says so, every time it runs', async () => {
    const first = await cli('migrate');
    const second = await cli('migrate');

    expect(first).toEqual({ code: 0, out: ['database schema is up to date'], err: '' });
    expect(second).toEqual(first);
    expect(await appliedMigrations()).toEqual([
      '0001-initial',
      '0002-research-core',
      '0003-event-timing',
      '0004-rejected-event-ids',
    ]);
  });

  it.runIf(onServer)('uses DATABASE_URL and leaves DATA_DIR untouched', async () => {
    await cli('migrate');

    expect(existsSync(join(dataDir(), 'pgdata'))).toBe(false);
  });

  it.skipIf(onServer)('keeps the embedded database in DATA_DIR', async () => {
    await cli('migrate');

    expect(existsSync(join(dataDir(), 'pgdata'))).toBe(true);
  });

  it.skipIf(onServer)('fails while another process holds the embedded database', async () => {
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    const lockFile = join(dataDir(), 'webtics.lock');
    writeFileSync(lockFile, String(other.pid));

    try {
      const { code, out, err } = await cli('migrate');

      expect(code).toBe(1);
      expect(out).toEqual([]);
      expect(err).toMatch(/^webtics: the embedded database in .* is in use by process/);
    } finally {
      other.kill();
      rmSync(lockFile, { force: true });
    }
  });

  it('stops with a configuration error that names a bad variable', async () => {
    process.env.LOG_LEVEL = 'chatty';

    try {
      const { code, err } = await cli('migrate');

      expect(code).toBe(1);
      expect(err).toMatch(/^webtics: configuration error: LOG_LEVEL: must be one of/);
    } finally {
      delete process.env.LOG_LEVEL;
    }
  });
});
