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

/** Connections of a pool: open ones, idle ones, and callers waiting for one. */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  kind: DatabaseTarget['kind'];
  /** True when the embedded database was created by this open (first start). */
  created: boolean;
  poolStats(): PoolStats;
  close(): Promise<void>;
}

// pg hands back bigint columns as strings; ids stay well inside 2^53, so numbers are safe.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// A calendar date stays 'YYYY-MM-DD' text: turning it into a Date would shift it by the zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
const pgliteOptions = {
  parsers: { 20: (value: string) => Number(value), 1082: (value: string) => value },
};

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
  const poolStats = () => ({
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
  });
  return { db, kind: 'server', created: false, poolStats, close: () => db.destroy() };
}

async function openEmbedded(dataDir: string): Promise<DatabaseHandle> {
  mkdirSync(dataDir, { recursive: true });
  const releaseLock = holdDataDirLock(dataDir);
  const pgdata = join(dataDir, 'pgdata');
  try {
    const created = !(await directoryHasFiles(pgdata));
    const pool = new PGlitePool(await PGlite.create(pgdata, pgliteOptions));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const close = async () => {
      await db.destroy();
      releaseLock();
    };
    return { db, kind: 'embedded', created, poolStats: () => pool.stats(), close };
  } catch (error) {
    releaseLock();
    throw error;
  }
}

async function openMemory(): Promise<DatabaseHandle> {
  const pool = new PGlitePool(await PGlite.create(pgliteOptions));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    kind: 'memory',
    created: true,
    poolStats: () => pool.stats(),
    close: () => db.destroy(),
  };
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
