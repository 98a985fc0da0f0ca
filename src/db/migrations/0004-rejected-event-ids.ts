import { sql, type Kysely } from 'kysely';

// Frozen history, like every migration: takes Kysely<unknown>, imports no current types.

/**
 * A rejected event's sequence number and client id get columns of their own,
 * taken from the payload when valid: a payload too large to keep, or one the
 * database cannot hold, still accounts for its number, and the completeness
 * report needs no JSON parsing.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('rejected_events')
    .addColumn('sequence', 'integer')
    .addColumn('client_event_id', 'text')
    .execute();
  await sql`
    update rejected_events set
      sequence = case
        when jsonb_typeof(payload -> 'sequence') = 'number'
         and payload ->> 'sequence' ~ '^[1-9][0-9]{0,9}$'
         and (payload ->> 'sequence')::bigint <= 2147483647
        then (payload ->> 'sequence')::integer end,
      client_event_id = case
        when payload ->> 'client_event_id'
             ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
        then lower(payload ->> 'client_event_id') end
    where payload is not null`.execute(db);
  await db.schema
    .createIndex('rejected_events_play_session_sequence')
    .on('rejected_events')
    .columns(['play_session_id', 'sequence'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('rejected_events_play_session_sequence').execute();
  await db.schema
    .alterTable('rejected_events')
    .dropColumn('sequence')
    .dropColumn('client_event_id')
    .execute();
}
