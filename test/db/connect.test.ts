import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { findStudy } from '../../src/data/studies.js';
import { openDatabase, targetFromConfig } from '../../src/db/connect.js';
import { ConflictError, fromDatabaseError, UnavailableError } from '../../src/errors.js';
import { onServer, openTestDatabase } from '../helpers/database.js';
import { makeStudy } from '../helpers/factories.js';
import { makeTempDir } from '../helpers/temp-dir.js';

const adminUrl = process.env.WEBTICS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('targetFromConfig', () => {
  it('chooses the embedded database when no DATABASE_URL is set', () => {
    expect(targetFromConfig({ databaseUrl: undefined, dataDir: '/srv/data' })).toEqual({
      kind: 'embedded',
      dataDir: '/srv/data',
    });
  });

  it('chooses the server when DATABASE_URL is set', () => {
    const url = 'postgres://127.0.0.1/webtics';

    expect(targetFromConfig({ databaseUrl: url, dataDir: '/srv/data' })).toEqual({
      kind: 'server',
      url,
    });
  });
});

describe.skipIf(onServer)('openDatabase on an embedded data dir', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let lockFile: string;

  beforeAll(() => {
    folder = makeTempDir('webtics-connect');
    lockFile = join(folder.path, 'webtics.lock');
  });
  afterAll(() => folder.remove());

  it('creates the database on first open and keeps its data after a reopen', async () => {
    const first = await openDatabase({ kind: 'embedded', dataDir: folder.path });
    await makeStudy(first.db, 'kept');
    await first.close();
    const second = await openDatabase({ kind: 'embedded', dataDir: folder.path });

    try {
      expect(first.created).toBe(true);
      expect(second.created).toBe(false);
      expect(await findStudy(second.db, 'kept')).toMatchObject({ id: 'kept' });
    } finally {
      await second.close();
    }
  });

  it('holds the data dir lock while open and releases it on close', async () => {
    const handle = await openDatabase({ kind: 'embedded', dataDir: folder.path });
    const heldWhileOpen = readFileSync(lockFile, 'utf8');
    await handle.close();

    expect(heldWhileOpen).toBe(String(process.pid));
    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses a data dir that another running process holds', async () => {
    const other = spawn('sleep', ['60'], { stdio: 'ignore' });
    writeFileSync(lockFile, String(other.pid));

    try {
      const opening = openDatabase({ kind: 'embedded', dataDir: folder.path });
      await expect(opening).rejects.toThrow(ConflictError);
      await expect(opening).rejects.toMatchObject({ code: 'database_in_use' });
    } finally {
      other.kill();
    }
  });
});

async function backendsOf(admin: pg.Client, database: string): Promise<number> {
  const result = await admin.query<{ count: number }>(
    'select count(*)::int as count from pg_stat_activity where datname = $1',
    [database],
  );
  return result.rows[0]!.count;
}

/** Waits until the server has ended every backend of the database. */
async function waitUntilGone(admin: pg.Client, database: string): Promise<void> {
  while ((await backendsOf(admin, database)) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.runIf(onServer)('openDatabase on a PostgreSQL server', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;
  let name: string;
  let admin: pg.Client;

  beforeAll(async () => {
    database = await openTestDatabase();
    name = new URL(database.url!).pathname.slice(1);
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await database.close();
  });

  /** Fills the pool with idle connections, then has the server end every one of them. */
  async function dropEveryConnection(): Promise<void> {
    await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(database.db)));
    await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [
      name,
    ]);
  }

  it('never reports the database as newly created', () => {
    expect(database.kind).toBe('server');
    expect(database.created).toBe(false);
  });

  it('answers the next query after the server has dropped every connection', async () => {
    await dropEveryConnection();
    await waitUntilGone(admin, name);

    const result = await sql<{ one: number }>`select 1 as one`.execute(database.db);

    expect(result.rows).toEqual([{ one: 1 }]);
  });

  it('answers again within a few queries when they race the dropped connections', async () => {
    await dropEveryConnection();

    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 6 && outcomes.at(-1) !== 'ok'; attempt++) {
      outcomes.push(
        await sql`select 1`.execute(database.db).then(
          () => 'ok',
          (error: unknown) =>
            fromDatabaseError(error) instanceof UnavailableError ? 'unavailable' : 'other',
        ),
      );
    }

    expect(outcomes.at(-1)).toBe('ok');
    expect(outcomes.filter((outcome) => outcome === 'other').length).toBeLessThanOrEqual(2);
  });
});
