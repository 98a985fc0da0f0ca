import { sql, type Kysely, type Transaction } from 'kysely';

import type { ConsentRow, Database, PrivacyLevel } from '../db/schema.js';
import { toStoredEvent } from './events.js';
import { toMetricSession, toPlaySession } from './sessions.js';

export interface ConsentFacts {
  privacyLevel: PrivacyLevel;
  ageRange: string | null;
  condition: string | null;
  recruitmentSite: string | null;
  consentVersion: string;
  ethicsProtocolId: string | null;
}

export interface Consent extends ConsentFacts {
  id: number;
  studyId: string;
  participantId: string;
  consentedAt: Date;
  withdrawnAt: Date | null;
  erasedAt: Date | null;
}

export interface ErasedCounts {
  sessions: number;
  play_sessions: number;
  events: number;
  rejected_events: number;
}

type Db = Kysely<Database> | Transaction<Database>;

function toConsent(row: ConsentRow): Consent {
  return {
    id: Number(row.id),
    studyId: row.study_id,
    participantId: row.participant_id,
    privacyLevel: row.privacy_level,
    ageRange: row.age_range,
    condition: row.condition,
    recruitmentSite: row.recruitment_site,
    consentVersion: row.consent_version,
    ethicsProtocolId: row.ethics_protocol_id,
    consentedAt: row.consented_at,
    withdrawnAt: row.withdrawn_at,
    erasedAt: row.erased_at,
  };
}

export async function createConsent(
  db: Db,
  input: ConsentFacts & { studyId: string; participantId: string; codeLookup: Buffer },
): Promise<Consent> {
  const row = await db
    .insertInto('consents')
    .values({
      study_id: input.studyId,
      participant_id: input.participantId,
      code_lookup: input.codeLookup,
      privacy_level: input.privacyLevel,
      age_range: input.ageRange,
      condition: input.condition,
      recruitment_site: input.recruitmentSite,
      consent_version: input.consentVersion,
      ethics_protocol_id: input.ethicsProtocolId,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toConsent(row);
}

/** One indexed lookup by the keyed hash of a code; locks the row inside a transaction. */
export async function findConsentByCode(db: Db, lookup: Buffer): Promise<Consent | undefined> {
  let query = db.selectFrom('consents').selectAll().where('code_lookup', '=', lookup);
  if (db.isTransaction) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  return row === undefined ? undefined : toConsent(row);
}

export async function findParticipant(
  db: Db,
  studyId: string,
  participantId: string,
): Promise<Consent | undefined> {
  const row = await db
    .selectFrom('consents')
    .selectAll()
    .where('study_id', '=', studyId)
    .where('participant_id', '=', participantId)
    .executeTakeFirst();
  return row === undefined ? undefined : toConsent(row);
}

function participantSessions(db: Db, consent: Consent) {
  return db
    .selectFrom('metric_sessions')
    .select('id')
    .where('study_id', '=', consent.studyId)
    .where('unique_id', '=', consent.participantId);
}

function participantPlaySessions(db: Db, consent: Consent) {
  return db
    .selectFrom('play_sessions')
    .select('id')
    .where('metric_session_id', 'in', participantSessions(db, consent));
}

async function countWhere(
  db: Db,
  table: 'metric_sessions' | 'play_sessions' | 'events' | 'rejected_events',
  consent: Consent,
): Promise<number> {
  const base = db.selectFrom(table).select(sql<number>`count(*)::int`.as('n'));
  const query =
    table === 'metric_sessions'
      ? base.where('id', 'in', participantSessions(db, consent))
      : table === 'play_sessions'
        ? base.where('id', 'in', participantPlaySessions(db, consent))
        : base.where('play_session_id', 'in', participantPlaySessions(db, consent));
  return (await query.executeTakeFirstOrThrow()).n;
}

/**
 * Erases every session, play session, event and rejected-event record of a
 * participant (play sessions and below go by cascade), and keeps of the
 * consent only that it existed and when it ended: the coarse facts go too.
 */
export async function eraseParticipant(
  trx: Transaction<Database>,
  consent: Consent,
): Promise<ErasedCounts> {
  const counts: ErasedCounts = {
    sessions: await countWhere(trx, 'metric_sessions', consent),
    play_sessions: await countWhere(trx, 'play_sessions', consent),
    events: await countWhere(trx, 'events', consent),
    rejected_events: await countWhere(trx, 'rejected_events', consent),
  };
  await trx
    .deleteFrom('metric_sessions')
    .where('study_id', '=', consent.studyId)
    .where('unique_id', '=', consent.participantId)
    .execute();
  await trx
    .updateTable('consents')
    .set({
      withdrawn_at: sql<Date>`now()`,
      erased_at: sql<Date>`now()`,
      age_range: null,
      condition: null,
      recruitment_site: null,
    })
    .where('id', '=', consent.id)
    .execute();
  return counts;
}

export interface ConsentStats {
  consented: number;
  active: number;
  withdrawn: number;
}

export async function consentStats(db: Db, studyId: string): Promise<ConsentStats> {
  const row = await db
    .selectFrom('consents')
    .select([
      sql<number>`count(*)::int`.as('consented'),
      sql<number>`(count(*) filter (where withdrawn_at is null))::int`.as('active'),
      sql<number>`(count(*) filter (where withdrawn_at is not null))::int`.as('withdrawn'),
    ])
    .where('study_id', '=', studyId)
    .executeTakeFirstOrThrow();
  return row;
}

/** Everything kept about one participant, for their own download. */
export async function participantData(db: Db, consent: Consent) {
  const sessions = await db
    .selectFrom('metric_sessions')
    .selectAll()
    .where('id', 'in', participantSessions(db, consent))
    .orderBy('id')
    .execute();
  const playSessions = await db
    .selectFrom('play_sessions')
    .selectAll()
    .where('id', 'in', participantPlaySessions(db, consent))
    .orderBy('id')
    .execute();
  const events = await db
    .selectFrom('events')
    .selectAll()
    .where('play_session_id', 'in', participantPlaySessions(db, consent))
    .orderBy('id')
    .execute();
  return {
    sessions: sessions.map(toMetricSession),
    playSessions: playSessions.map(toPlaySession),
    events: events.map(toStoredEvent),
  };
}
