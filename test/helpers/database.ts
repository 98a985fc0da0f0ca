import { randomBytes } from 'node:crypto';

import { sql } from 'kysely';
import pg from 'pg';

import { openDatabase, type DatabaseHandle } from '../../src/db/connect.js';

/** `server` runs the suite against a real PostgreSQL server; anything else uses embedded PGlite. */
export const onServer = process.env.WEBTICS_TEST_DATABASE === 'server';

const adminUrl = process.env.WEBTICS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function urlFor(database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function onAdminConnection(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or a new
 * database on the PostgreSQL server that is dropped again on close, so runs
 * never collide.
 */
export async function openTestDatabase(): Promise<DatabaseHandle & { url?: string }> {
  if (!onServer) return openDatabase({ kind: 'memory' });

  const empty = await createServerDatabase();
  const handle = await openDatabase({ kind: 'server', url: empty.url });
  const close = async () => {
    await handle.close();
    await empty.drop();
  };
  return { ...handle, url: empty.url, close };
}

/** An empty database of its own on the PostgreSQL server, for one test file or suite. */
export async function createServerDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `webtics_test_${randomBytes(6).toString('hex')}`;
  await onAdminConnection(`create database ${name}`);
  return {
    url: urlFor(name),
    drop: () => onAdminConnection(`drop database if exists ${name} with (force)`),
  };
}

const tables = [
  'audit_log',
  'consents',
  'rejected_events',
  'events',
  'play_sessions',
  'metric_sessions',
  'api_keys',
  'studies',
];

/** Empties every table and restarts ids, so each test starts from a clean state. */
export async function resetDatabase(handle: DatabaseHandle): Promise<void> {
  await sql`truncate ${sql.join(tables.map((table) => sql.table(table)))} restart identity cascade`.execute(
    handle.db,
  );
}
