import { sql, type Kysely } from 'kysely';

import type { Database, MetricSessionRow, PlaySessionRow } from '../db/schema.js';
import { NotFoundError } from '../errors.js';

export interface MetricSession {
  id: number;
  studyId: string;
  uniqueId: string;
  buildNumber: string;
  openedAt: Date;
  closedAt: Date | null;
}

export interface PlaySession {
  id: number;
  metricSessionId: number;
  startedAt: Date;
  endedAt: Date | null;
  lastSequence: number | null;
}

/** A play session with what the ingest path needs to know about its owner. */
export interface PlaySessionContext extends PlaySession {
  studyId: string;
  buildNumber: string;
}

export function toMetricSession(row: MetricSessionRow): MetricSession {
  return {
    id: Number(row.id),
    studyId: row.study_id,
    uniqueId: row.unique_id,
    buildNumber: row.build_number,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
  };
}

export function toPlaySession(row: PlaySessionRow): PlaySession {
  return {
    id: Number(row.id),
    metricSessionId: Number(row.metric_session_id),
    startedAt: row.started_at,
    endedAt: row.ended_at,
    lastSequence: row.last_sequence,
  };
}

export async function createMetricSession(
  db: Kysely<Database>,
  input: { studyId: string; uniqueId: string; buildNumber: string },
): Promise<MetricSession> {
  const row = await db
    .insertInto('metric_sessions')
    .values({ study_id: input.studyId, unique_id: input.uniqueId, build_number: input.buildNumber })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toMetricSession(row);
}

export async function getMetricSession(db: Kysely<Database>, id: number): Promise<MetricSession> {
  const row = await db
    .selectFrom('metric_sessions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw new NotFoundError(`session ${id}`);
  return toMetricSession(row);
}

/** Closes a metric session and every play session still open in it; closing twice is harmless. */
export async function closeMetricSession(db: Kysely<Database>, id: number): Promise<MetricSession> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('metric_sessions')
      .set({ closed_at: sql<Date>`coalesce(closed_at, now())` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) throw new NotFoundError(`session ${id}`);
    await trx
      .updateTable('play_sessions')
      .set({ ended_at: sql<Date>`now()` })
      .where('metric_session_id', '=', id)
      .where('ended_at', 'is', null)
      .execute();
    return toMetricSession(row);
  });
}

export async function createPlaySession(
  db: Kysely<Database>,
  metricSessionId: number,
): Promise<PlaySession> {
  const row = await db
    .insertInto('play_sessions')
    .values({ metric_session_id: metricSessionId })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPlaySession(row);
}

export async function getPlaySessionContext(
  db: Kysely<Database>,
  id: number,
): Promise<PlaySessionContext> {
  const row = await db
    .selectFrom('play_sessions as p')
    .innerJoin('metric_sessions as m', 'm.id', 'p.metric_session_id')
    .selectAll('p')
    .select(['m.study_id', 'm.build_number'])
    .where('p.id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw new NotFoundError(`play session ${id}`);
  return { ...toPlaySession(row), studyId: row.study_id, buildNumber: row.build_number };
}

/**
 * Ends a play session; ending twice keeps the first end. The SDK's last
 * sequence number is kept the first time it is given, and raised (never
 * lowered) by a later close, so a retried close changes nothing.
 */
export async function closePlaySession(
  db: Kysely<Database>,
  id: number,
  lastSequence?: number,
): Promise<PlaySession> {
  const row = await db
    .updateTable('play_sessions')
    .set({
      ended_at: sql<Date>`coalesce(ended_at, now())`,
      ...(lastSequence === undefined
        ? {}
        : { last_sequence: sql<number>`greatest(last_sequence, ${lastSequence}::integer)` }),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (row === undefined) throw new NotFoundError(`play session ${id}`);
  return toPlaySession(row);
}
