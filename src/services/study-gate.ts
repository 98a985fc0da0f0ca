import type { Kysely } from 'kysely';

import { findParticipant } from '../data/consents.js';
import { findStudy, type Study } from '../data/studies.js';
import type { Database } from '../db/schema.js';
import { ForbiddenError, NotFoundError } from '../errors.js';

/** Today as a calendar date in UTC, the zone ethics dates are compared in. */
function today(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/** Why a study takes no new data, or undefined when it does. */
export function closedReason(study: Study, now = new Date()): string | undefined {
  if (!study.active) return `study ${study.id} is closed and accepts no new data`;
  if (study.ethicsExpiresOn !== null && study.ethicsExpiresOn < today(now)) {
    return `the ethics approval of study ${study.id} expired on ${study.ethicsExpiresOn}; it accepts no new data`;
  }
  return undefined;
}

/** New data goes only into a study that exists, is open, and whose ethics approval holds. */
export async function requireOpenStudy(db: Kysely<Database>, studyId: string): Promise<Study> {
  const study = await findStudy(db, studyId);
  if (study === undefined) throw new NotFoundError(`study ${studyId}`);
  const reason = closedReason(study);
  if (reason !== undefined) throw new ForbiddenError(reason);
  return study;
}

/**
 * A withdrawn participant's id takes no new sessions, ever; in a study that
 * requires consent, only the id of an active consent opens one, so no data
 * exists without consent.
 */
export async function requireConsentFor(
  db: Kysely<Database>,
  study: Study,
  uniqueId: string,
): Promise<void> {
  const consent = await findParticipant(db, study.id, uniqueId);
  if (consent?.withdrawnAt) {
    throw new ForbiddenError(
      `participant ${uniqueId} has withdrawn; no new data is accepted for them`,
    );
  }
  if (study.requiresConsent && consent === undefined) {
    throw new ForbiddenError(
      `study ${study.id} requires consent: unique_id must be the participant_id of an active ` +
        'consent (POST /api/v1/research/consent)',
    );
  }
}
