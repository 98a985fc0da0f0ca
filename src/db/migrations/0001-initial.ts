import { sql, type Kysely } from 'kysely';

// Migrations are frozen history: they take Kysely<unknown> and never import
// the current schema types, which describe the latest state only.

async function createStudies(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('studies')
    .addColumn('id', 'text', (col) =>
      col.primaryKey().check(sql`id ~ '^[a-z0-9][a-z0-9_-]{0,62}$'`),
    )
    .addColumn('title', 'text', (col) => col.notNull().check(sql`length(title) between 1 and 200`))
    .addColumn('active', 'boolean', (col) => col.notNull().defaultTo(true))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

async function createApiKeys(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('prefix', 'text', (col) => col.notNull())
    .addColumn('hash', 'bytea', (col) => col.notNull().unique())
    .addColumn('role', 'text', (col) =>
      col.notNull().check(sql`role in ('ingest', 'researcher', 'admin')`),
    )
    .addColumn('study_id', 'text', (col) => col.references('studies.id'))
    .addColumn('label', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addCheckConstraint('api_keys_study_required', sql`role = 'admin' or study_id is not null`)
    .execute();
}

async function createSessions(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('metric_sessions')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('study_id', 'text', (col) => col.notNull().references('studies.id'))
    .addColumn('unique_id', 'text', (col) => col.notNull())
    .addColumn('build_number', 'text', (col) => col.notNull())
    .addColumn('opened_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('closed_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('metric_sessions_study_unique_id')
    .on('metric_sessions')
    .columns(['study_id', 'unique_id'])
    .execute();

  await db.schema
    .createTable('play_sessions')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('metric_session_id', 'bigint', (col) =>
      col.notNull().references('metric_sessions.id').onDelete('cascade'),
    )
    .addColumn('started_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('play_sessions_metric_session')
    .on('play_sessions')
    .column('metric_session_id')
    .execute();
}

async function createEvents(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('play_session_id', 'bigint', (col) =>
      col.notNull().references('play_sessions.id').onDelete('cascade'),
    )
    .addColumn('event_type', 'smallint', (col) =>
      col.notNull().check(sql`event_type between 0 and 999`),
    )
    .addColumn('event_subtype', 'smallint', (col) =>
      col.check(sql`event_subtype between 0 and 999`),
    )
    .addColumn('x', 'float8', (col) => col.check(sql`abs(x) <= 10000`))
    .addColumn('y', 'float8', (col) => col.check(sql`abs(y) <= 10000`))
    .addColumn('z', 'float8', (col) => col.check(sql`abs(z) <= 10000`))
    .addColumn('magnitude', 'float8')
    .addColumn('data', 'jsonb')
    .addColumn('client_time', 'timestamptz', (col) => col.notNull())
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('client_event_id', 'uuid')
    .addUniqueConstraint('events_client_event_id', ['play_session_id', 'client_event_id'])
    .execute();
  await db.schema
    .createIndex('events_play_session_newest')
    .on('events')
    .columns(['play_session_id', 'id desc'])
    .execute();
}

async function createRejectedEvents(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rejected_events')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('study_id', 'text', (col) => col.notNull().references('studies.id'))
    .addColumn('play_session_id', 'bigint', (col) =>
      col.references('play_sessions.id').onDelete('cascade'),
    )
    .addColumn('build_number', 'text')
    .addColumn('batch_index', 'integer')
    .addColumn('field', 'text', (col) => col.notNull())
    .addColumn('rule', 'text', (col) => col.notNull())
    .addColumn('message', 'text', (col) => col.notNull())
    .addColumn('payload', 'jsonb')
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('rejected_events_study_received')
    .on('rejected_events')
    .columns(['study_id', 'received_at'])
    .execute();
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await createStudies(db);
  await createApiKeys(db);
  await createSessions(db);
  await createEvents(db);
  await createRejectedEvents(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['rejected_events', 'events', 'play_sessions', 'metric_sessions']) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropTable('api_keys').execute();
  await db.schema.dropTable('studies').execute();
}
