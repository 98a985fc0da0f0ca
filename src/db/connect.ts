import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';

import { holdDataDirLock } from './data-dir-lock.js';
import { migrateToLatest } from './migrate.js';
import { PGlitePool } from './pglite-pool.js';
import type { Database } from './schema.js';

export type DatabaseTarget =
  { kind: 'server'; url: string } | { kind: 'embedded'; dataDir: string } | { kind: 'memory' };

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseTarget['kind'];
  /** True when the embedded database was created by this open (first start). */
  created: boolean;
  close(): Promise<void>;
}

// pg hands back bigint columns as strings; ids stay well inside 2^53, so numbers are safe.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
const pgliteOptions = { parsers: { 20: (value: string) => Number(value) } };

function openServer(url: string): DatabaseHandle {
  const pool = new pg.Pool({ connectionString: url, max: 10, idleTimeoutMillis: 30_000 });
  // A connection dropped by the server while idle must not take the process down;
  // the pool discards it and the next query opens a fresh one.
  pool.on('error', () => undefined);
  // A connection that dies while checked out must not become an uncaught
  // exception either: the query on it fails (503 to the client) and the pool
  // replaces it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, kind: 'server', created: false, close: () => db.destroy() };
}

async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  mkdirSync(dataDir, { recursive: true });
  const releaseLock = holdDataDirLock(dataDir);
  const pgdata = join(dataDir, 'pgdata');
  try {
    const created = !(await directoryHasFiles(pgdata));
    const pglite = await PGlite.create(pgdata, pgliteOptions);
    const db = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }),
    });
    const close = async () => {
      await db.destroy();
      releaseLock();
    };
    return { db, kind: 'embedded', created, close };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

async function openMemory(): Promise<DatabaseHandle> {
  const pglite = await PGlite.create(pgliteOptions);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }),
  });
  return { db, kind: 'memory', created: true, close: () => db.destroy() };
}

async function directoryHasFiles(path: string): Promise<boolean> {
  const { readdir } = await import('node:fs/promises');
  try {
    return (await readdir(path)).length > 0;
  } catch {
    return false;
  }
}

/** Opens the database and applies every pending migration before anything else uses it. */
export async function openDatabase(target: DatabaseTarget): Promise<DatabaseHandle> {
  const handle =
    target.kind === 'server'
      ? openServer(target.url)
      : target.kind === 'embedded'
        ? await openEmbedded(target.dataDir)
        : await openMemory();
  try {
    await migrateToLatest(handle.db);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return handle;
}

export function targetFromConfig(config: {
  databaseUrl: string | undefined;
  dataDir: string;
}): DatabaseTarget {
  return config.databaseUrl === undefined
    ? { kind: 'embedded', dataDir: config.dataDir }
    : { kind: 'server', url: config.databaseUrl };
}
