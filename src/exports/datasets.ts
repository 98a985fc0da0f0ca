import { sql, type Kysely } from 'kysely';

import type { Database } from '../db/schema.js';

export interface ExportFilters {
  from?: Date;
  to?: Date;
  eventType?: number;
  build?: string;
  participant?: string;
}

export interface Column {
  name: string;
  type: 'integer' | 'number' | 'text' | 'timestamp' | 'json';
  unit?: string;
  description: string;
}

export type Row = Record<string, unknown>;

export interface Dataset {
  name: 'events' | 'sessions' | 'play-sessions' | 'rejected-events' | 'consents';
  description: string;
  columns: Column[];
  /** One page of rows after the given id, oldest first; an empty page ends the export. */
  page(
    db: Kysely<Database>,
    studyId: string,
    filters: ExportFilters,
    afterId: number,
    size: number,
  ): Promise<Row[]>;
}

const iso = (value: Date | null) => (value === null ? null : value.toISOString());

const events: Dataset = {
  name: 'events',
  description: 'Every stored event, with the session and participant it belongs to',
  columns: [
    { name: 'event_id', type: 'integer', description: 'WebTics id of the event' },
    { name: 'session_id', type: 'integer', description: 'metric session (one run by one player)' },
    { name: 'play_session_id', type: 'integer', description: 'play session (one attempt)' },
    {
      name: 'participant_id',
      type: 'text',
      description: 'unique_id of the session: participant pseudonym',
    },
    { name: 'build_number', type: 'text', description: 'game build that sent the event' },
    {
      name: 'event_type',
      type: 'integer',
      description: 'event type, 0–999; see the event catalogue',
    },
    {
      name: 'event_subtype',
      type: 'integer',
      description: 'event subtype, 0–999, empty when not sent',
    },
    { name: 'x', type: 'number', unit: 'game units', description: 'x coordinate, −10000…10000' },
    { name: 'y', type: 'number', unit: 'game units', description: 'y coordinate, −10000…10000' },
    { name: 'z', type: 'number', unit: 'game units', description: 'z coordinate, −10000…10000' },
    {
      name: 'magnitude',
      type: 'number',
      description: 'meaning and unit by event type (see the catalogue); empty when not sent',
    },
    { name: 'data', type: 'json', description: 'free JSON object sent by the game' },
    {
      name: 'timestamp',
      type: 'timestamp',
      description: 'when it happened on the client (UTC, ms)',
    },
    { name: 'received_at', type: 'timestamp', description: 'when the server stored it (UTC)' },
    {
      name: 'client_event_id',
      type: 'text',
      description: 'UUID the game gave the event (deduplication)',
    },
    {
      name: 'sequence',
      type: 'integer',
      description: 'number the SDK gave the event, counting up from 1 per play session',
    },
    {
      name: 'monotonic_ms',
      type: 'number',
      unit: 'ms',
      description:
        'time since the play session started, from a clock that never jumps; after the game ' +
        'restarts mid-play, the SDKs continue it from the wall clock',
    },
    {
      name: 'client_sent_at',
      type: 'timestamp',
      description:
        "the client's clock when it sent the request that delivered the event (for a queued " +
        'event, possibly long after it happened); empty when it did not say',
    },
    {
      name: 'clock_offset_ms',
      type: 'integer',
      unit: 'ms',
      description: 'client clock minus server clock at sending; empty when unknown',
    },
    {
      name: 'corrected_time',
      type: 'timestamp',
      description:
        'timestamp less clock_offset_ms: when it happened on the server clock (UTC, ms); ' +
        'equals timestamp when the offset is unknown',
    },
  ],
  async page(db, studyId, filters, afterId, size) {
    let query = db
      .selectFrom('events as e')
      .innerJoin('play_sessions as p', 'p.id', 'e.play_session_id')
      .innerJoin('metric_sessions as m', 'm.id', 'p.metric_session_id')
      .selectAll('e')
      .select(['m.id as session_id', 'm.unique_id', 'm.build_number'])
      .where('m.study_id', '=', studyId)
      .where('e.id', '>', afterId)
      .orderBy('e.id')
      .limit(size);
    if (filters.from) query = query.where('e.client_time', '>=', filters.from);
    if (filters.to) query = query.where('e.client_time', '<', filters.to);
    if (filters.eventType !== undefined)
      query = query.where('e.event_type', '=', filters.eventType);
    if (filters.build !== undefined) query = query.where('m.build_number', '=', filters.build);
    if (filters.participant !== undefined)
      query = query.where('m.unique_id', '=', filters.participant);
    return (await query.execute()).map((row) => ({
      event_id: Number(row.id),
      session_id: Number(row.session_id),
      play_session_id: Number(row.play_session_id),
      participant_id: row.unique_id,
      build_number: row.build_number,
      event_type: row.event_type,
      event_subtype: row.event_subtype,
      x: row.x,
      y: row.y,
      z: row.z,
      magnitude: row.magnitude,
      data: row.data,
      timestamp: row.client_time.toISOString(),
      received_at: row.received_at.toISOString(),
      client_event_id: row.client_event_id,
      sequence: row.sequence,
      monotonic_ms: row.monotonic_ms,
      client_sent_at: iso(row.client_sent_at),
      clock_offset_ms: row.clock_offset_ms === null ? null : Number(row.clock_offset_ms),
      corrected_time: row.corrected_time.toISOString(),
    }));
  },
};

const sessions: Dataset = {
  name: 'sessions',
  description: 'Metric sessions: one run of a game by one player',
  columns: [
    { name: 'session_id', type: 'integer', description: 'WebTics id of the session' },
    { name: 'participant_id', type: 'text', description: 'unique_id: participant pseudonym' },
    { name: 'build_number', type: 'text', description: 'game build' },
    { name: 'opened_at', type: 'timestamp', description: 'when the session was opened (UTC)' },
    { name: 'closed_at', type: 'timestamp', description: 'when it was closed; empty while open' },
  ],
  async page(db, studyId, filters, afterId, size) {
    let query = db
      .selectFrom('metric_sessions')
      .selectAll()
      .where('study_id', '=', studyId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(size);
    if (filters.from) query = query.where('opened_at', '>=', filters.from);
    if (filters.to) query = query.where('opened_at', '<', filters.to);
    if (filters.build !== undefined) query = query.where('build_number', '=', filters.build);
    if (filters.participant !== undefined)
      query = query.where('unique_id', '=', filters.participant);
    return (await query.execute()).map((row) => ({
      session_id: Number(row.id),
      participant_id: row.unique_id,
      build_number: row.build_number,
      opened_at: row.opened_at.toISOString(),
      closed_at: iso(row.closed_at),
    }));
  },
};

const playSessions: Dataset = {
  name: 'play-sessions',
  description: 'Play sessions: one attempt inside a metric session',
  columns: [
    { name: 'play_session_id', type: 'integer', description: 'WebTics id of the play session' },
    { name: 'session_id', type: 'integer', description: 'the metric session it belongs to' },
    { name: 'participant_id', type: 'text', description: 'unique_id of that session' },
    { name: 'started_at', type: 'timestamp', description: 'when the attempt started (UTC)' },
    { name: 'ended_at', type: 'timestamp', description: 'when it ended; empty while open' },
    {
      name: 'last_sequence',
      type: 'integer',
      description: 'highest sequence number the SDK gave out, sent when it closed the play session',
    },
    {
      name: 'duplicate_events',
      type: 'integer',
      description: 'resent events dropped because they were already stored',
    },
    {
      name: 'rejected_events',
      type: 'integer',
      description: 'events refused by the validation rules (see the rejected-events dataset)',
    },
  ],
  async page(db, studyId, filters, afterId, size) {
    let query = db
      .selectFrom('play_sessions as p')
      .innerJoin('metric_sessions as m', 'm.id', 'p.metric_session_id')
      .selectAll('p')
      .select('m.unique_id')
      .select((eb) =>
        eb
          .selectFrom('rejected_events as r')
          .select(eb.fn.countAll<number>().as('n'))
          .whereRef('r.play_session_id', '=', 'p.id')
          .as('rejected_events'),
      )
      .where('m.study_id', '=', studyId)
      .where('p.id', '>', afterId)
      .orderBy('p.id')
      .limit(size);
    if (filters.from) query = query.where('p.started_at', '>=', filters.from);
    if (filters.to) query = query.where('p.started_at', '<', filters.to);
    if (filters.build !== undefined) query = query.where('m.build_number', '=', filters.build);
    if (filters.participant !== undefined)
      query = query.where('m.unique_id', '=', filters.participant);
    return (await query.execute()).map((row) => ({
      play_session_id: Number(row.id),
      session_id: Number(row.metric_session_id),
      participant_id: row.unique_id,
      started_at: row.started_at.toISOString(),
      ended_at: iso(row.ended_at),
      last_sequence: row.last_sequence,
      duplicate_events: Number(row.duplicate_events),
      rejected_events: Number(row.rejected_events ?? 0),
    }));
  },
};

const rejectedEvents: Dataset = {
  name: 'rejected-events',
  description:
    'Events the server refused, with the rule they broke: with the play-sessions dataset, ' +
    'enough to repeat the completeness check offline. The refused payload itself is not exported.',
  columns: [
    { name: 'rejected_id', type: 'integer', description: 'WebTics id of the rejection record' },
    { name: 'play_session_id', type: 'integer', description: 'play session it was sent to' },
    { name: 'session_id', type: 'integer', description: 'metric session of that play session' },
    { name: 'participant_id', type: 'text', description: 'unique_id of that session' },
    { name: 'build_number', type: 'text', description: 'game build that sent the event' },
    {
      name: 'batch_index',
      type: 'integer',
      description: 'position in its batch, from 0; empty when sent alone',
    },
    { name: 'field', type: 'text', description: 'the field that broke a rule' },
    { name: 'rule', type: 'text', description: 'the rule it broke (see docs/validation.md)' },
    { name: 'message', type: 'text', description: 'the explanation sent to the game' },
    {
      name: 'sequence',
      type: 'integer',
      description:
        'sequence number the refused event carried, when it was a valid one (kept even when ' +
        'the payload is not)',
    },
    {
      name: 'client_event_id',
      type: 'text',
      description: 'UUID the refused event carried, when it was one',
    },
    { name: 'received_at', type: 'timestamp', description: 'when the server refused it (UTC)' },
  ],
  async page(db, studyId, filters, afterId, size) {
    let query = db
      .selectFrom('rejected_events as r')
      .leftJoin('play_sessions as p', 'p.id', 'r.play_session_id')
      .leftJoin('metric_sessions as m', 'm.id', 'p.metric_session_id')
      .select([
        'r.id',
        'r.play_session_id',
        'm.id as session_id',
        'm.unique_id',
        'r.build_number',
        'r.batch_index',
        'r.field',
        'r.rule',
        'r.message',
        'r.received_at',
        'r.sequence',
        'r.client_event_id',
      ])
      .where('r.study_id', '=', studyId)
      .where('r.id', '>', afterId)
      .orderBy('r.id')
      .limit(size);
    if (filters.from) query = query.where('r.received_at', '>=', filters.from);
    if (filters.to) query = query.where('r.received_at', '<', filters.to);
    if (filters.eventType !== undefined) {
      query = query.where(sql<string>`r.payload ->> 'event_type'`, '=', String(filters.eventType));
    }
    if (filters.build !== undefined) query = query.where('r.build_number', '=', filters.build);
    if (filters.participant !== undefined)
      query = query.where('m.unique_id', '=', filters.participant);
    return (await query.execute()).map((row) => ({
      rejected_id: Number(row.id),
      play_session_id: row.play_session_id === null ? null : Number(row.play_session_id),
      session_id: row.session_id === null ? null : Number(row.session_id),
      participant_id: row.unique_id,
      build_number: row.build_number,
      batch_index: row.batch_index,
      field: row.field,
      rule: row.rule,
      message: row.message,
      sequence: row.sequence,
      client_event_id: row.client_event_id,
      received_at: row.received_at.toISOString(),
    }));
  },
};

const consents: Dataset = {
  name: 'consents',
  description: 'Consent records (withdrawal codes are never stored, their hashes never exported)',
  columns: [
    { name: 'participant_id', type: 'text', description: 'participant pseudonym' },
    { name: 'privacy_level', type: 'text', description: 'anonymous, pseudonymous or identifiable' },
    {
      name: 'age_range',
      type: 'text',
      description: 'coarse age range as recorded; empty after withdrawal',
    },
    {
      name: 'condition',
      type: 'text',
      description: 'condition as recorded; empty after withdrawal',
    },
    {
      name: 'recruitment_site',
      type: 'text',
      description: 'recruitment site; empty after withdrawal',
    },
    { name: 'consent_version', type: 'text', description: 'version of the consent form' },
    {
      name: 'ethics_protocol_id',
      type: 'text',
      description: 'ethics protocol the consent was given under',
    },
    { name: 'consented_at', type: 'timestamp', description: 'when consent was given (UTC)' },
    {
      name: 'withdrawn_at',
      type: 'timestamp',
      description: 'when the participant withdrew; empty if not',
    },
  ],
  async page(db, studyId, filters, afterId, size) {
    let query = db
      .selectFrom('consents')
      .selectAll()
      .where('study_id', '=', studyId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(size);
    if (filters.from) query = query.where('consented_at', '>=', filters.from);
    if (filters.to) query = query.where('consented_at', '<', filters.to);
    if (filters.participant !== undefined)
      query = query.where('participant_id', '=', filters.participant);
    return (await query.execute()).map((row) => ({
      _id: Number(row.id),
      participant_id: row.participant_id,
      privacy_level: row.privacy_level,
      age_range: row.age_range,
      condition: row.condition,
      recruitment_site: row.recruitment_site,
      consent_version: row.consent_version,
      ethics_protocol_id: row.ethics_protocol_id,
      consented_at: row.consented_at.toISOString(),
      withdrawn_at: iso(row.withdrawn_at),
    }));
  },
};

export const datasets: Record<Dataset['name'], Dataset> = {
  events,
  sessions,
  'play-sessions': playSessions,
  'rejected-events': rejectedEvents,
  consents,
};

/** The id a page continues after: the row's own id column. */
export function rowId(dataset: Dataset, row: Row): number {
  const key = {
    events: 'event_id',
    sessions: 'session_id',
    'play-sessions': 'play_session_id',
    'rejected-events': 'rejected_id',
    consents: '_id',
  }[dataset.name];
  return row[key] as number;
}
