import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { onServer, openTestDatabase } from '../helpers/database.js';

async function emptySchema(db: Awaited<ReturnType<typeof openTestDatabase>>['db']) {
  await sql`drop schema public cascade`.execute(db);
  await sql`create schema public`.execute(db);
}

describe('migrateToLatest', () => {
  let database: Awaited<ReturnType<typeof openTestDatabase>>;

  beforeAll(async () => {
    database = await openTestDatabase();
    await emptySchema(database.db);
  });
  afterAll(() => database.close());

  it('applies the initial migration to an empty database', async () => {
    expect(await migrateToLatest(database.db)).toEqual([
      '0001-initial',
      '0002-research-core',
      '0003-event-timing',
      '0004-rejected-event-ids',
    ]);

    const tables = await sql<{ name: string }>`
      select table_name as name from information_schema.tables where table_schema = 'public'
    `.execute(database.db);
    expect(tables.rows.map((row) => row.name)).toEqual(
      expect.arrayContaining(['studies', 'api_keys', 'events', 'kysely_migration']),
    );
  });

  it('does nothing when run again on an up-to-date database', async () => {
    await migrateToLatest(database.db);

    expect(await migrateToLatest(database.db)).toEqual([]);
    expect(await migrateToLatest(database.db)).toEqual([]);

    const applied = await sql<{ name: string }>`select name from kysely_migration`.execute(
      database.db,
    );
    expect(applied.rows).toEqual([
      { name: '0001-initial' },
      { name: '0002-research-core' },
      { name: '0003-event-timing' },
      { name: '0004-rejected-event-ids' },
    ]);
  });

  it.runIf(onServer)('applies each migration once when two processes start together', async () => {
    // Opening migrates, so the schema is emptied only once both handles exist.
    const other = await openDatabase({ kind: 'server', url: database.url! });
    await emptySchema(database.db);

    try {
      const results = await Promise.all([migrateToLatest(database.db), migrateToLatest(other.db)]);
      expect(results.flat()).toEqual([
        '0001-initial',
        '0002-research-core',
        '0003-event-timing',
        '0004-rejected-event-ids',
      ]);
    } finally {
      await other.close();
    }
  });
});
