import type { Kysely } from 'kysely';

import type { Database, StudyRow } from '../db/schema.js';
import { NotFoundError } from '../errors.js';

export interface Study {
  id: string;
  title: string;
  active: boolean;
  createdAt: Date;
}

function toStudy(row: StudyRow): Study {
  return { id: row.id, title: row.title, active: row.active, createdAt: row.created_at };
}

export async function createStudy(
  db: Kysely<Database>,
  input: { id: string; title: string },
): Promise<Study> {
  const row = await db
    .insertInto('studies')
    .values({ id: input.id, title: input.title })
    .returningAll()
    .executeTakeFirstOrThrow();
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
