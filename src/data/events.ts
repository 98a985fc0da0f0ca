import type { Kysely, Transaction } from 'kysely';

import type { Database, EventRow } from '../db/schema.js';
import { countIngest } from '../metrics/metrics.js';
import type { Issue } from '../validation/ajv.js';
import { maxSequence, type ClockReport, type ValidEvent } from '../validation/event.js';

export interface StoredEvent extends ValidEvent {
  id: number;
  playSessionId: number;
  receivedAt: Date;
  clientSentAt: Date | null;
  clockOffsetMs: number | null;
}

export interface RejectedEvent {
  index: number | null;
  issue: Issue;
  payload: unknown;
  /** False when the payload holds what the database cannot store (NUL, bad Unicode). */
  keepPayload?: boolean;
}

const uuidText = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The sequence number and client event id a refused event carried, when they
 * are valid, so that the refusal accounts for its number in the completeness
 * report whatever else was wrong with it.
 */
function identifiersOf(payload: unknown): {
  sequence: number | null;
  clientEventId: string | null;
} {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    return { sequence: null, clientEventId: null };
  }
  const { sequence, client_event_id: id } = payload as Record<string, unknown>;
  return {
    sequence:
      Number.isInteger(sequence) && (sequence as number) >= 1 && (sequence as number) <= maxSequence
        ? (sequence as number)
        : null,
    clientEventId: typeof id === 'string' && uuidText.test(id) ? id.toLowerCase() : null,
  };
}

export interface IngestResult {
  stored: StoredEvent[];
  duplicates: number;
}

/** What an ingest write is about: the play session and the owner's study and build. */
export interface IngestTarget {
  playSessionId: number;
  studyId: string;
  buildNumber: string;
}

/** When the request arrived, and what the client said its clock read when it sent it. */
export interface Arrival {
  receivedAt: Date;
  clock: ClockReport | undefined;
}

/** Rejected payloads are kept for diagnosis, cut off where they could fill the table. */
const maxKeptPayloadBytes = 16_384;

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: Number(row.id),
    playSessionId: Number(row.play_session_id),
    eventType: row.event_type,
    eventSubtype: row.event_subtype,
    x: row.x,
    y: row.y,
    z: row.z,
    magnitude: row.magnitude,
    data: row.data as Record<string, unknown> | null,
    clientTime: row.client_time,
    clientEventId: row.client_event_id,
    sequence: row.sequence,
    monotonicMs: row.monotonic_ms,
    correctedTime: row.corrected_time,
    receivedAt: row.received_at,
    clientSentAt: row.client_sent_at,
    clockOffsetMs: row.clock_offset_ms === null ? null : Number(row.clock_offset_ms),
  };
}

function keptPayload(payload: unknown): string | null {
  const text = JSON.stringify(payload ?? null);
  return text.length <= maxKeptPayloadBytes ? text : null;
}

async function insertEvents(
  trx: Transaction<Database>,
  playSessionId: number,
  events: ValidEvent[],
  arrival: Arrival,
): Promise<StoredEvent[]> {
  if (events.length === 0) return [];
  const rows = await trx
    .insertInto('events')
    .values(
      events.map((event) => ({
        play_session_id: playSessionId,
        event_type: event.eventType,
        event_subtype: event.eventSubtype,
        x: event.x,
        y: event.y,
        z: event.z,
        magnitude: event.magnitude,
        data: event.data === null ? null : JSON.stringify(event.data),
        client_time: event.clientTime,
        client_event_id: event.clientEventId,
        sequence: event.sequence,
        monotonic_ms: event.monotonicMs,
        corrected_time: event.correctedTime,
        received_at: arrival.receivedAt,
        client_sent_at: arrival.clock?.clientSentAt ?? null,
        clock_offset_ms: arrival.clock?.offsetMs ?? null,
      })),
    )
    .onConflict((oc) => oc.columns(['play_session_id', 'client_event_id']).doNothing())
    .returningAll()
    .execute();
  return rows.map(toStoredEvent);
}

async function insertRejected(
  trx: Transaction<Database>,
  target: IngestTarget,
  rejected: RejectedEvent[],
): Promise<void> {
  if (rejected.length === 0) return;
  await trx
    .insertInto('rejected_events')
    .values(
      rejected.map((item) => ({
        study_id: target.studyId,
        play_session_id: target.playSessionId,
        build_number: target.buildNumber,
        batch_index: item.index,
        field: item.issue.field,
        rule: item.issue.rule,
        message: item.issue.message,
        payload: item.keepPayload === false ? null : keptPayload(item.payload),
        ...(({ sequence, clientEventId }) => ({ sequence, client_event_id: clientEventId }))(
          identifiersOf(item.payload),
        ),
      })),
    )
    .execute();
}

/** Duplicates are dropped, but counted, so the completeness report can say how many. */
async function countDuplicates(
  trx: Transaction<Database>,
  playSessionId: number,
  count: number,
): Promise<void> {
  await trx
    .updateTable('play_sessions')
    .set((eb) => ({ duplicate_events: eb('duplicate_events', '+', count) }))
    .where('id', '=', playSessionId)
    .execute();
}

/**
 * Stores valid events and records rejected ones in one transaction, so a
 * reply is only sent for what is committed. Events whose client id is already
 * stored for the play session are skipped and counted as duplicates.
 */
export async function ingestEvents(
  db: Kysely<Database>,
  target: IngestTarget,
  batch: { valid: ValidEvent[]; rejected: RejectedEvent[]; arrival: Arrival },
): Promise<IngestResult> {
  const { valid, rejected, arrival } = batch;
  const result = await db.transaction().execute(async (trx) => {
    const stored = await insertEvents(trx, target.playSessionId, valid, arrival);
    await insertRejected(trx, target, rejected);
    const duplicates = valid.length - stored.length;
    if (duplicates > 0) await countDuplicates(trx, target.playSessionId, duplicates);
    return { stored, duplicates };
  });
  countIngest(result.stored.length, result.duplicates, rejected);
  return result;
}

export async function findEventByClientId(
  db: Kysely<Database>,
  playSessionId: number,
  clientEventId: string,
): Promise<StoredEvent | undefined> {
  const row = await db
    .selectFrom('events')
    .selectAll()
    .where('play_session_id', '=', playSessionId)
    .where('client_event_id', '=', clientEventId)
    .executeTakeFirst();
  return row === undefined ? undefined : toStoredEvent(row);
}

/** Events of a metric session, newest first, optionally before an event id (paging). */
export async function listSessionEvents(
  db: Kysely<Database>,
  metricSessionId: number,
  options: { limit: number; beforeId?: number },
): Promise<StoredEvent[]> {
  let query = db
    .selectFrom('events as e')
    .innerJoin('play_sessions as p', 'p.id', 'e.play_session_id')
    .selectAll('e')
    .where('p.metric_session_id', '=', metricSessionId)
    .orderBy('e.id', 'desc')
    .limit(options.limit);
  if (options.beforeId !== undefined) query = query.where('e.id', '<', options.beforeId);
  return (await query.execute()).map(toStoredEvent);
}
