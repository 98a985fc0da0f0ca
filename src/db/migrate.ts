import { Migrator, type Kysely, type Migration, type MigrationResultSet } from 'kysely';

import * as initial from './migrations/0001-initial.js';
import * as researchCore from './migrations/0002-research-core.js';
import * as eventTiming from './migrations/0003-event-timing.js';
import * as rejectedEventIds from './migrations/0004-rejected-event-ids.js';
import type { Database } from './schema.js';

/** Every migration, in order. Names sort by their number; never rename or edit a shipped one. */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-research-core': researchCore,
  '0003-event-timing': eventTiming,
  '0004-rejected-event-ids': rejectedEventIds,
};

/** Brings the schema to the latest version; safe to run from several processes at once. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const result: MigrationResultSet = await migrator.migrateToLatest();
  if (result.error !== undefined) {
    throw result.error instanceof Error
      ? result.error
      : new Error('migration failed', { cause: result.error });
  }
  return (result.results ?? []).map((applied) => applied.migrationName);
}
