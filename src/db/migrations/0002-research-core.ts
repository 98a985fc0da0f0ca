import { sql, type Kysely } from 'kysely';

// Frozen history, like every migration: takes Kysely<unknown>, imports no current types.

async function extendStudies(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('studies')
    .addColumn('ethics_protocol_id', 'text')
    .addColumn('ethics_approved_on', 'date')
    .addColumn('ethics_expires_on', 'date')
    .addColumn('principal_investigator', 'text')
    .addColumn('institution', 'text')
    .addColumn('contact', 'text')
    .addColumn('privacy_level', 'text', (col) =>
      col
        .notNull()
        .defaultTo('pseudonymous')
        .check(sql`privacy_level in ('anonymous', 'pseudonymous', 'identifiable')`),
    )
    .addColumn('retention_days', 'integer', (col) =>
      col.check(sql`retention_days between 1 and 36500`),
    )
    .addColumn('requires_consent', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('closed_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

async function createConsents(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('consents')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('study_id', 'text', (col) => col.notNull().references('studies.id'))
    .addColumn('participant_id', 'text', (col) => col.notNull())
    .addColumn('code_lookup', 'bytea', (col) => col.notNull().unique())
    .addColumn('privacy_level', 'text', (col) =>
      col.notNull().check(sql`privacy_level in ('anonymous', 'pseudonymous', 'identifiable')`),
    )
    .addColumn('age_range', 'text')
    .addColumn('condition', 'text')
    .addColumn('recruitment_site', 'text')
    .addColumn('consent_version', 'text', (col) => col.notNull())
    .addColumn('ethics_protocol_id', 'text')
    .addColumn('consented_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('withdrawn_at', 'timestamptz')
    .addColumn('erased_at', 'timestamptz')
    .addUniqueConstraint('consents_study_participant', ['study_id', 'participant_id'])
    .execute();
}

async function createAuditLog(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigint', (col) => col.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('actor', 'text', (col) => col.notNull())
    .addColumn('key_id', 'bigint')
    .addColumn('action', 'text', (col) => col.notNull())
    .addColumn('study_id', 'text')
    .addColumn('details', 'jsonb', (col) => col.notNull())
    .addColumn('prev_hash', 'bytea', (col) => col.notNull())
    .addColumn('hash', 'bytea', (col) => col.notNull().unique())
    .execute();
  await db.schema
    .createIndex('audit_log_study_at')
    .on('audit_log')
    .columns(['study_id', 'at'])
    .execute();

  // Append-only: the application never updates or deletes a record. The hash
  // chain finds what someone with database rights changes anyway.
  await sql`
    create function audit_log_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_log is append-only' using errcode = '2F003';
    end
    $$`.execute(db);
  await sql`
    create trigger audit_log_no_change before update or delete on audit_log
    for each statement execute function audit_log_append_only()`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await extendStudies(db);
  await createConsents(db);
  await createAuditLog(db);
  await db.schema
    .createIndex('metric_sessions_opened_at')
    .on('metric_sessions')
    .columns(['study_id', 'opened_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('metric_sessions_opened_at').execute();
  await db.schema.dropTable('audit_log').execute();
  await sql`drop function audit_log_append_only()`.execute(db);
  await db.schema.dropTable('consents').execute();
  for (const column of [
    'ethics_protocol_id',
    'ethics_approved_on',
    'ethics_expires_on',
    'principal_investigator',
    'institution',
    'contact',
    'privacy_level',
    'retention_days',
    'requires_consent',
    'closed_at',
    'updated_at',
  ]) {
    await db.schema.alterTable('studies').dropColumn(column).execute();
  }
}
