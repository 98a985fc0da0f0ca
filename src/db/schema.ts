import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** bigint identity columns; both drivers are set to read int8 as a number (ids stay below 2^53). */
type Id = number;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type SetLater = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type Role = 'ingest' | 'researcher' | 'admin';

export interface StudiesTable {
  id: string;
  title: string;
  active: Generated<boolean>;
  created_at: CreatedAt;
}

export interface ApiKeysTable {
  id: Generated<Id>;
  prefix: string;
  hash: Buffer;
  role: Role;
  study_id: string | null;
  label: string | null;
  created_at: CreatedAt;
  expires_at: SetLater;
  revoked_at: SetLater;
  last_used_at: SetLater;
}

export interface MetricSessionsTable {
  id: Generated<Id>;
  study_id: string;
  unique_id: string;
  build_number: string;
  opened_at: CreatedAt;
  closed_at: SetLater;
}

export interface PlaySessionsTable {
  id: Generated<Id>;
  metric_session_id: number;
  started_at: CreatedAt;
  ended_at: SetLater;
}

export interface EventsTable {
  id: Generated<Id>;
  play_session_id: number;
  event_type: number;
  event_subtype: number | null;
  x: number | null;
  y: number | null;
  z: number | null;
  magnitude: number | null;
  data: ColumnType<unknown, string | null, never>;
  client_time: ColumnType<Date, Date, never>;
  received_at: CreatedAt;
  client_event_id: string | null;
}

export interface RejectedEventsTable {
  id: Generated<Id>;
  study_id: string;
  play_session_id: number | null;
  build_number: string | null;
  batch_index: number | null;
  field: string;
  rule: string;
  message: string;
  payload: ColumnType<unknown, string | null, never>;
  received_at: CreatedAt;
}

/** The whole database as the typed query layer sees it. */
export interface Database {
  studies: StudiesTable;
  api_keys: ApiKeysTable;
  metric_sessions: MetricSessionsTable;
  play_sessions: PlaySessionsTable;
  events: EventsTable;
  rejected_events: RejectedEventsTable;
}

export type StudyRow = Selectable<StudiesTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type MetricSessionRow = Selectable<MetricSessionsTable>;
export type PlaySessionRow = Selectable<PlaySessionsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
export type NewRejectedEvent = Insertable<RejectedEventsTable>;
