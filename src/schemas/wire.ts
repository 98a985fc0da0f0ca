import Type from 'typebox';

import type { ApiKey } from '../data/api-keys.js';
import type { StoredEvent } from '../data/events.js';
import type { MetricSession, PlaySession } from '../data/sessions.js';
import type { Study } from '../data/studies.js';
import { iso, NullableTimestamp, Timestamp } from './common.js';

// The wire speaks snake_case; these schemas and mappers are the only place
// where TypeScript objects become JSON, so a new column never leaks by accident.

export const SessionBody = Type.Object({
  id: Type.Integer(),
  study_id: Type.String(),
  unique_id: Type.String(),
  build_number: Type.String(),
  opened_at: Timestamp,
  closed_at: NullableTimestamp,
});

export function sessionBody(session: MetricSession) {
  return {
    id: session.id,
    study_id: session.studyId,
    unique_id: session.uniqueId,
    build_number: session.buildNumber,
    opened_at: session.openedAt.toISOString(),
    closed_at: iso(session.closedAt),
  };
}

export const PlaySessionBody = Type.Object({
  id: Type.Integer(),
  metric_session_id: Type.Integer(),
  started_at: Timestamp,
  ended_at: NullableTimestamp,
  last_sequence: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'highest sequence number the SDK gave out, as sent when it closed the play session',
  }),
});

export function playSessionBody(playSession: PlaySession) {
  return {
    id: playSession.id,
    metric_session_id: playSession.metricSessionId,
    started_at: playSession.startedAt.toISOString(),
    ended_at: iso(playSession.endedAt),
    last_sequence: playSession.lastSequence,
  };
}

const nullableNumber = Type.Union([Type.Number(), Type.Null()]);

export const EventBody = Type.Object({
  id: Type.Integer(),
  play_session_id: Type.Integer(),
  event_type: Type.Integer(),
  event_subtype: Type.Union([Type.Integer(), Type.Null()]),
  x: nullableNumber,
  y: nullableNumber,
  z: nullableNumber,
  magnitude: nullableNumber,
  data: Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()]),
  timestamp: Timestamp,
  received_at: Timestamp,
  client_event_id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  sequence: Type.Union([Type.Integer(), Type.Null()]),
  monotonic_ms: nullableNumber,
  client_sent_at: NullableTimestamp,
  clock_offset_ms: Type.Union([Type.Integer(), Type.Null()], {
    description: 'client clock − server clock when the request was sent; null without a report',
  }),
  corrected_time: Timestamp,
});

export function eventBody(event: StoredEvent) {
  return {
    id: event.id,
    play_session_id: event.playSessionId,
    event_type: event.eventType,
    event_subtype: event.eventSubtype,
    x: event.x,
    y: event.y,
    z: event.z,
    magnitude: event.magnitude,
    data: event.data,
    timestamp: event.clientTime.toISOString(),
    received_at: event.receivedAt.toISOString(),
    client_event_id: event.clientEventId,
    sequence: event.sequence,
    monotonic_ms: event.monotonicMs,
    client_sent_at: iso(event.clientSentAt),
    clock_offset_ms: event.clockOffsetMs,
    corrected_time: event.correctedTime.toISOString(),
  };
}

const nullableText = Type.Union([Type.String(), Type.Null()]);
const nullableDate = Type.Union([Type.String({ format: 'date' }), Type.Null()]);

export const PrivacyLevelBody = Type.Union([
  Type.Literal('anonymous'),
  Type.Literal('pseudonymous'),
  Type.Literal('identifiable'),
]);

export const StudyBody = Type.Object({
  id: Type.String(),
  title: Type.String(),
  active: Type.Boolean(),
  ethics_protocol_id: nullableText,
  ethics_approved_on: nullableDate,
  ethics_expires_on: nullableDate,
  principal_investigator: nullableText,
  institution: nullableText,
  contact: nullableText,
  privacy_level: PrivacyLevelBody,
  retention_days: Type.Union([Type.Integer(), Type.Null()]),
  requires_consent: Type.Boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
  closed_at: NullableTimestamp,
});

export function studyBody(study: Study) {
  return {
    id: study.id,
    title: study.title,
    active: study.active,
    ethics_protocol_id: study.ethicsProtocolId,
    ethics_approved_on: study.ethicsApprovedOn,
    ethics_expires_on: study.ethicsExpiresOn,
    principal_investigator: study.principalInvestigator,
    institution: study.institution,
    contact: study.contact,
    privacy_level: study.privacyLevel,
    retention_days: study.retentionDays,
    requires_consent: study.requiresConsent,
    created_at: study.createdAt.toISOString(),
    updated_at: study.updatedAt.toISOString(),
    closed_at: iso(study.closedAt),
  };
}

export const ApiKeyBody = Type.Object({
  id: Type.Integer(),
  prefix: Type.String({ description: 'The start of the key, to recognise it; not a secret' }),
  role: Type.Union([Type.Literal('ingest'), Type.Literal('researcher'), Type.Literal('admin')]),
  study_id: Type.Union([Type.String(), Type.Null()]),
  label: Type.Union([Type.String(), Type.Null()]),
  created_at: Timestamp,
  expires_at: NullableTimestamp,
  revoked_at: NullableTimestamp,
  last_used_at: NullableTimestamp,
});

export function apiKeyBody(key: ApiKey) {
  return {
    id: key.id,
    prefix: key.prefix,
    role: key.role,
    study_id: key.studyId,
    label: key.label,
    created_at: key.createdAt.toISOString(),
    expires_at: iso(key.expiresAt),
    revoked_at: iso(key.revokedAt),
    last_used_at: iso(key.lastUsedAt),
  };
}
