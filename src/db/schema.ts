import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/** bigint identity columns; both drivers are set to read int8 as a number (ids stay below 2^53). */
type Id = number;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type SetLater = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type Role = 'ingest' | 'researcher' | 'admin';

export type PrivacyLevel = 'anonymous' | 'pseudonymous' | 'identifiable';

export interface StudiesTable {
  id: string;
  title: string;
  active: Generated<boolean>;
  created_at: CreatedAt;
  ethics_protocol_id: string | null;
  /** Dates travel as 'YYYY-MM-DD' text: a calendar day has no zone. */
  ethics_approved_on: ColumnType<string | null, string | null | undefined, string | null>;
  ethics_expires_on: ColumnType<string | null, string | null | undefined, string | null>;
  principal_investigator: string | null;
  institution: string | null;
  contact: string | null;
  privacy_level: ColumnType<PrivacyLevel, PrivacyLevel | undefined, PrivacyLevel>;
  retention_days: number | null;
  requires_consent: Generated<boolean>;
  closed_at: SetLater;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ConsentsTable {
  id: Generated<Id>;
  study_id: string;
  participant_id: string;
  code_lookup: Buffer;
  privacy_level: PrivacyLevel;
  age_range: string | null;
  condition: string | null;
  recruitment_site: string | null;
  consent_version: string;
  ethics_protocol_id: string | null;
  consented_at: CreatedAt;
  withdrawn_at: SetLater;
  erased_at: SetLater;
}

export interface AuditLogTable {
  id: Generated<Id>;
  at: ColumnType<Date, Date, never>;
  actor: string;
  key_id: number | null;
  action: string;
  study_id: string | null;
  details: ColumnType<unknown, string, never>;
  prev_hash: Buffer;
  hash: Buffer;
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
  /** The highest sequence number the SDK gave out, sent when it closed the play session. */
  last_sequence: ColumnType<number | null, number | null | undefined, number | null>;
  duplicate_events: ColumnType<number, never, number>;
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
  sequence: number | null;
  monotonic_ms: number | null;
  client_sent_at: ColumnType<Date | null, Date | null, never>;
  clock_offset_ms: ColumnType<number | null, number | null, never>;
  corrected_time: ColumnType<Date, Date, never>;
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
  /** The sequence number and client event id the refused event carried, when valid. */
  sequence: number | null;
  client_event_id: string | null;
}

/** The whole database as the typed query layer sees it. */
export interface Database {
  studies: StudiesTable;
  api_keys: ApiKeysTable;
  metric_sessions: MetricSessionsTable;
  play_sessions: PlaySessionsTable;
  events: EventsTable;
  rejected_events: RejectedEventsTable;
  consents: ConsentsTable;
  audit_log: AuditLogTable;
}

export type StudyRow = Selectable<StudiesTable>;
export type ConsentRow = Selectable<ConsentsTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type MetricSessionRow = Selectable<MetricSessionsTable>;
export type PlaySessionRow = Selectable<PlaySessionsTable>;
export type EventRow = Selectable<EventsTable>;
export type NewEvent = Insertable<EventsTable>;
export type NewRejectedEvent = Insertable<RejectedEventsTable>;
