import { sql, type Kysely, type Transaction } from 'kysely';

import type { Database, PrivacyLevel, StudyRow } from '../db/schema.js';
import { NotFoundError } from '../errors.js';

export interface StudyFields {
  title: string;
  ethicsProtocolId: string | null;
  ethicsApprovedOn: string | null;
  ethicsExpiresOn: string | null;
  principalInvestigator: string | null;
  institution: string | null;
  contact: string | null;
  privacyLevel: PrivacyLevel;
  retentionDays: number | null;
  requiresConsent: boolean;
}

export interface Study extends StudyFields {
  id: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
  closedAt: Date | null;
}

function toStudy(row: StudyRow): Study {
  return {
    id: row.id,
    title: row.title,
    active: row.active,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    closedAt: row.closed_at,
    ethicsProtocolId: row.ethics_protocol_id,
    ethicsApprovedOn: row.ethics_approved_on,
    ethicsExpiresOn: row.ethics_expires_on,
    principalInvestigator: row.principal_investigator,
    institution: row.institution,
    contact: row.contact,
    privacyLevel: row.privacy_level,
    retentionDays: row.retention_days,
    requiresConsent: row.requires_consent,
  };
}

function toColumns(fields: Partial<StudyFields>) {
  return {
    title: fields.title,
    ethics_protocol_id: fields.ethicsProtocolId,
    ethics_approved_on: fields.ethicsApprovedOn,
    ethics_expires_on: fields.ethicsExpiresOn,
    principal_investigator: fields.principalInvestigator,
    institution: fields.institution,
    contact: fields.contact,
    privacy_level: fields.privacyLevel,
    retention_days: fields.retentionDays,
    requires_consent: fields.requiresConsent,
  };
}

export async function createStudy(
  db: Kysely<Database> | Transaction<Database>,
  input: { id: string; title: string } & Partial<StudyFields>,
): Promise<Study> {
  const row = await db
    .insertInto('studies')
    .values({ ...toColumns(input), id: input.id, title: input.title })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStudy(row);
}

/** Changes the given fields only; undefined leaves a field as it is, null clears it. */
export async function updateStudy(
  db: Kysely<Database> | Transaction<Database>,
  id: string,
  fields: Partial<StudyFields>,
): Promise<Study> {
  const row = await db
    .updateTable('studies')
    .set({ ...toColumns(fields), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw new NotFoundError(`study ${id}`);
  return toStudy(row);
}

/** Closes a study for new data; closing twice keeps the first time. */
export async function closeStudy(
  db: Kysely<Database> | Transaction<Database>,
  id: string,
): Promise<Study> {
  const row = await db
    .updateTable('studies')
    .set({
      active: false,
      closed_at: sql<Date>`coalesce(closed_at, now())`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw new NotFoundError(`study ${id}`);
  return toStudy(row);
}

export async function findStudy(db: Kysely<Database>, id: string): Promise<Study | undefined> {
  const row = await db.selectFrom('studies').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toStudy(row);
}

export async function getStudy(db: Kysely<Database>, id: string): Promise<Study> {
  const study = await findStudy(db, id);
  if (study === undefined) throw new NotFoundError(`study ${id}`);
  return study;
}

export async function listStudies(db: Kysely<Database>, onlyId?: string): Promise<Study[]> {
  let query = db.selectFrom('studies').selectAll().orderBy('id');
  if (onlyId !== undefined) query = query.where('id', '=', onlyId);
  return (await query.execute()).map(toStudy);
}
