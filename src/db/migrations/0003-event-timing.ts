import { sql, type Kysely } from 'kysely';

// Frozen history, like every migration: takes Kysely<unknown>, imports no current types.

/** What the SDKs send to prove completeness and correct the client's clock. */
async function extendEvents(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('events')
    .addColumn('sequence', 'integer', (col) => col.check(sql`sequence >= 1`))
    .addColumn('monotonic_ms', 'double precision', (col) =>
      col.check(sql`monotonic_ms >= 0 and monotonic_ms <= 1e12`),
    )
    .addColumn('client_sent_at', 'timestamptz')
    .addColumn('clock_offset_ms', 'bigint')
    .addColumn('corrected_time', 'timestamptz')
    .execute();
  // Events stored before this migration had no clock report: their own time is the best there is.
  await sql`update events set corrected_time = client_time`.execute(db);
  await db.schema
    .alterTable('events')
    .alterColumn('corrected_time', (col) => col.setNotNull())
    .execute();
  await db.schema
    .createIndex('events_play_session_sequence')
    .on('events')
    .columns(['play_session_id', 'sequence'])
    .execute();
}

async function extendPlaySessions(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('play_sessions')
    .addColumn('last_sequence', 'integer', (col) => col.check(sql`last_sequence >= 0`))
    .addColumn('duplicate_events', 'bigint', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createIndex('rejected_events_play_session')
    .on('rejected_events')
    .column('play_session_id')
    .execute();
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await extendEvents(db);
  await extendPlaySessions(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('rejected_events_play_session').execute();
  await db.schema
    .alterTable('play_sessions')
    .dropColumn('last_sequence')
    .dropColumn('duplicate_events')
    .execute();
  await db.schema.dropIndex('events_play_session_sequence').execute();
  await db.schema
    .alterTable('events')
    .dropColumn('sequence')
    .dropColumn('monotonic_ms')
    .dropColumn('client_sent_at')
    .dropColumn('clock_offset_ms')
    .dropColumn('corrected_time')
    .execute();
}
