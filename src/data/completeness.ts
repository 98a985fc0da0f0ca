import { sql, type Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { NotFoundError } from '../errors.js';

/** Lists in the report stop here; the counts beside them are always whole. */
export const maxListed = 1000;

export interface SequenceRange {
  from: number;
  to: number;
}

/** How much of a play session's sequence arrived, and what happened to the rest. */
export interface Completeness {
  playSessionId: number;
  closed: boolean;
  received: number;
  duplicates: number;
  rejected: number;
  withoutSequence: number;
  firstSequence: number | null;
  lastSequence: number | null;
  expectedLastSequence: number | null;
  rejectedSequences: number[];
  repeatedSequences: number[];
  missingCount: number;
  missing: SequenceRange[];
  /** Stored events numbered above expectedLastSequence: the SDK gave out more than it said. */
  beyondExpected: number;
  complete: boolean;
}

/** How many refusals the play session has, and the sequence numbers they carried. */
async function rejectedSequences(db: Kysely<Database>, playSessionId: number) {
  const counted = await db
    .selectFrom('rejected_events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('play_session_id', '=', playSessionId)
    .executeTakeFirstOrThrow();
  const listed = await db
    .selectFrom('rejected_events')
    .select('sequence')
    .distinct()
    .where('play_session_id', '=', playSessionId)
    .where('sequence', 'is not', null)
    .orderBy('sequence')
    .limit(maxListed)
    .execute();
  const highest = await db
    .selectFrom('rejected_events')
    .select((eb) => eb.fn.max('sequence').as('n'))
    .where('play_session_id', '=', playSessionId)
    .executeTakeFirstOrThrow();
  return {
    count: Number(counted.n),
    numbers: listed.map((row) => Number(row.sequence)),
    highest: highest.n === null ? 0 : Number(highest.n),
  };
}

async function storedSummary(db: Kysely<Database>, playSessionId: number) {
  return db
    .selectFrom('events')
    .select((eb) => [
      eb.fn.countAll<number>().as('received'),
      eb.fn.count<number>('sequence').as('with_sequence'),
      eb.fn.min('sequence').as('first'),
      eb.fn.max('sequence').as('last'),
    ])
    .where('play_session_id', '=', playSessionId)
    .executeTakeFirstOrThrow();
}

async function countBeyond(db: Kysely<Database>, playSessionId: number, last: number | null) {
  if (last === null) return 0;
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('play_session_id', '=', playSessionId)
    .where('sequence', '>', last)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function repeatedSequences(db: Kysely<Database>, playSessionId: number) {
  const rows = await db
    .selectFrom('events')
    .select('sequence')
    .where('play_session_id', '=', playSessionId)
    .where('sequence', 'is not', null)
    .groupBy('sequence')
    .having((eb) => eb.fn.countAll(), '>', 1)
    .orderBy('sequence')
    .limit(maxListed)
    .execute();
  return rows.map((row) => Number(row.sequence));
}

/**
 * Ranges of numbers from 1 to `top` that no stored or rejected event carries,
 * found by walking the known numbers in order (with 0 and top + 1 as
 * sentinels), so the cost follows the events, not the size of the gaps.
 */
async function missingRanges(
  db: Kysely<Database>,
  playSessionId: number,
  top: number,
): Promise<{ ranges: SequenceRange[]; count: number }> {
  if (top < 1) return { ranges: [], count: 0 };
  const { rows } = await sql<{ from: number; to: number; total: number }>`
    with known as (
      select sequence::bigint as n from events
       where play_session_id = ${playSessionId} and sequence is not null
      union
      select sequence::bigint from rejected_events
       where play_session_id = ${playSessionId} and sequence is not null
      union select 0
      union select ${top + 1}::bigint
    ),
    walked as (
      select n, lead(n) over (order by n) as next from known
       where n is not null and n <= ${top + 1}
    )
    select n + 1 as "from", next - 1 as "to", sum(next - n - 1) over () as total
      from walked where next > n + 1
     order by n
     limit ${maxListed}`.execute(db);
  return {
    ranges: rows.map((row) => ({ from: Number(row.from), to: Number(row.to) })),
    count: rows.length === 0 ? 0 : Number(rows[0]!.total),
  };
}

/** The completeness report of one play session (see docs/sdk-protocol.md). */
export async function playSessionCompleteness(
  db: Kysely<Database>,
  playSessionId: number,
): Promise<Completeness> {
  const playSession = await db
    .selectFrom('play_sessions')
    .select(['ended_at', 'last_sequence', 'duplicate_events'])
    .where('id', '=', playSessionId)
    .executeTakeFirst();
  if (playSession === undefined) throw new NotFoundError(`play session ${playSessionId}`);

  const stored = await storedSummary(db, playSessionId);
  const rejected = await rejectedSequences(db, playSessionId);
  const repeated = await repeatedSequences(db, playSessionId);
  const lastStored = stored.last === null ? 0 : Number(stored.last);
  // The close's last_sequence, when given, is where the sequence ends; events
  // numbered past it are counted apart (beyond_expected), not as gaps.
  const top = playSession.last_sequence ?? Math.max(lastStored, rejected.highest);
  const missing = await missingRanges(db, playSessionId, top);
  const beyond = await countBeyond(db, playSessionId, playSession.last_sequence);
  const closed = playSession.ended_at !== null;

  return {
    playSessionId,
    closed,
    received: Number(stored.received),
    duplicates: Number(playSession.duplicate_events),
    rejected: rejected.count,
    withoutSequence: Number(stored.received) - Number(stored.with_sequence),
    firstSequence: stored.first === null ? null : Number(stored.first),
    lastSequence: stored.last === null ? null : Number(stored.last),
    expectedLastSequence: playSession.last_sequence,
    rejectedSequences: rejected.numbers,
    repeatedSequences: repeated,
    missingCount: missing.count,
    missing: missing.ranges,
    beyondExpected: beyond,
    complete:
      closed &&
      playSession.last_sequence !== null &&
      missing.count === 0 &&
      repeated.length === 0 &&
      beyond === 0,
  };
}
