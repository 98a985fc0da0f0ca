import type { Kysely } from 'kysely';

import { findStudy, type Study } from '../data/studies.js';
import type { Database } from '../db/schema.js';
import { ForbiddenError, NotFoundError } from '../errors.js';

/** New data goes only into a study that exists and is open. */
export async function requireOpenStudy(db: Kysely<Database>, studyId: string): Promise<Study> {
  const study = await findStudy(db, studyId);
  if (study === undefined) throw new NotFoundError(`study ${studyId}`);
  if (!study.active) {
    throw new ForbiddenError(`study ${studyId} is closed and accepts no new data`);
  }
  return study;
}
