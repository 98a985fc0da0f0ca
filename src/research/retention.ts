import type { Kysely } from 'kysely';

import { recordAudit } from '../data/audit-log.js';
import type { Database } from '../db/schema.js';

export interface PurgeResult {
  studyId: string;
  cutoff: string;
  sessions: number;
  rejectedEvents: number;
}

const dayMs = 24 * 60 * 60 * 1000;

/**
 * Erases, in every study with a retention period, the sessions opened before
 * the cutoff (their play sessions and events go with them) and the rejected
 * events received before it, one study per transaction with an audit record.
 * Consents are kept: they are the record that data was collected lawfully.
 */
export async function purgeExpired(
  db: Kysely<Database>,
  actor: string,
  now = new Date(),
): Promise<PurgeResult[]> {
  const studies = await db
    .selectFrom('studies')
    .select(['id', 'retention_days'])
    .where('retention_days', 'is not', null)
    .orderBy('id')
    .execute();
  const results: PurgeResult[] = [];
  for (const study of studies) {
    const cutoff = new Date(now.getTime() - study.retention_days! * dayMs);
    results.push(await purgeStudy(db, study.id, cutoff, actor));
  }
  return results;
}

async function purgeStudy(db: Kysely<Database>, studyId: string, cutoff: Date, actor: string) {
  return db.transaction().execute(async (trx) => {
    const sessions = await trx
      .deleteFrom('metric_sessions')
      .where('study_id', '=', studyId)
      .where('opened_at', '<', cutoff)
      .executeTakeFirst();
    const rejected = await trx
      .deleteFrom('rejected_events')
      .where('study_id', '=', studyId)
      .where('received_at', '<', cutoff)
      .executeTakeFirst();
    const result = {
      studyId,
      cutoff: cutoff.toISOString(),
      sessions: Number(sessions.numDeletedRows),
      rejectedEvents: Number(rejected.numDeletedRows),
    };
    await recordAudit(trx, {
      actor,
      action: 'purge',
      studyId,
      details: {
        cutoff: result.cutoff,
        sessions: result.sessions,
        rejected_events: result.rejectedEvents,
      },
    });
    return result;
  });
}

/** Runs the purge now and then once a day; returns the function that stops it. */
export function scheduleDailyPurge(
  db: Kysely<Database>,
  onError: (error: unknown) => void,
  onDone: (results: PurgeResult[]) => void = () => undefined,
): () => void {
  const run = () => void purgeExpired(db, 'system').then(onDone, onError);
  const first = setTimeout(run, 60_000);
  const daily = setInterval(run, dayMs);
  first.unref();
  daily.unref();
  return () => {
    clearTimeout(first);
    clearInterval(daily);
  };
}
