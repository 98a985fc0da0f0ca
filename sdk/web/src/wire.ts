// The JSON shapes of the protocol (docs/sdk-protocol.md). They keep the
// wire's snake_case names; the client maps its camelCase options onto them.

/**
 * A metric session: one run of a game by one player.
 *
 * @example
 * const session: Session = await client.startSession('player-4f2a9c');
 */
export interface Session {
  id: number;
  unique_id: string;
  build_number: string;
  study_id: string;
  opened_at: string;
  closed_at: string | null;
}

/**
 * A play session: one attempt inside a metric session.
 *
 * @example
 * const play: PlaySession = await client.startPlay();
 */
export interface PlaySession {
  id: number;
  metric_session_id: number;
  started_at: string;
  ended_at: string | null;
}

/**
 * One event as the server receives it.
 *
 * @example
 * const event: WireEvent = { event_type: 100, timestamp, client_event_id, sequence: 1, monotonic_ms: 0 };
 */
export interface WireEvent {
  event_type: number;
  event_subtype?: number;
  x?: number;
  y?: number;
  z?: number;
  magnitude?: number;
  data?: Record<string, unknown>;
  /** The wall clock when it happened, ISO 8601 in UTC. */
  timestamp: string;
  /** Made once when it was logged; a resend keeps it, so the server stores it once. */
  client_event_id: string;
  /** 1, 2, 3 … within its play session, in the order of logging. */
  sequence: number;
  /** Milliseconds since the play session started, on a clock that never jumps. */
  monotonic_ms: number;
}

/**
 * Why the server refused one event of a batch.
 *
 * @example
 * const why: WireRejection = { index: 1, field: 'magnitude', rule: 'required', message: '…' };
 */
export interface WireRejection {
  index: number;
  field: string;
  rule: string;
  message: string;
}

/**
 * The server's answer to a batch of events.
 *
 * @example
 * const result: BatchResult = { stored: 49, duplicates: 0, rejected: [rejection] };
 */
export interface BatchResult {
  stored: number;
  duplicates: number;
  rejected: WireRejection[];
}

/**
 * The body of every error answer.
 *
 * @example
 * const body: ErrorBody = { error: { code: 'rate_limited', message: '…', retryable: true } };
 */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; rule?: string; retryable?: boolean };
  request_id?: string;
}

/**
 * How complete a play session arrived (`GET /api/v1/play-sessions/{id}/completeness`).
 *
 * @example
 * const report: Completeness = await client.completeness();
 * if (!report.complete) console.warn(report.missing);
 */
export interface Completeness {
  play_session_id: number;
  closed: boolean;
  received: number;
  duplicates: number;
  rejected: number;
  without_sequence: number;
  first_sequence: number | null;
  last_sequence: number | null;
  expected_last_sequence: number | null;
  rejected_sequences: number[];
  repeated_sequences: number[];
  missing_count: number;
  missing: { from: number; to: number }[];
  /** Stored events numbered above `expected_last_sequence`: logged after the close named the last. */
  beyond_expected: number;
  complete: boolean;
}

/**
 * What `POST /api/v1/research/consent` answers. Show `withdrawal_code` to the
 * participant now: the server does not keep it.
 *
 * @example
 * const { participant_id, withdrawal_code }: ConsentReceipt = await client.consent({ consentVersion: '2.1' });
 */
export interface ConsentReceipt {
  study_id: string;
  participant_id: string;
  withdrawal_code: string;
  privacy_level: 'anonymous' | 'pseudonymous' | 'identifiable';
  consented_at: string;
}

/**
 * The signed receipt that `POST /api/v1/research/withdraw` answers; check it
 * with the key at `/api/v1/research/receipt-key`.
 *
 * @example
 * const { receipt, signature }: DeletionReceipt = await client.withdraw(code);
 */
export interface DeletionReceipt {
  receipt: {
    type: 'webtics.deletion-receipt';
    version: 1;
    receipt_id: string;
    study_id: string;
    withdrawn_at: string;
    erased: { sessions: number; play_sessions: number; events: number; rejected_events: number };
    key_id: string;
  };
  signature: string;
}

/**
 * Everything the server holds about one participant (`POST /api/v1/research/my-data`).
 *
 * @example
 * const data: ParticipantData = await client.myData(code);
 * console.log(data.events.length);
 */
export interface ParticipantData {
  consent: {
    study_id: string;
    participant_id: string;
    privacy_level: string;
    age_range: string | null;
    condition: string | null;
    recruitment_site: string | null;
    consent_version: string;
    ethics_protocol_id: string | null;
    consented_at: string;
  };
  sessions: Session[];
  play_sessions: PlaySession[];
  events: (WireEvent & { id: number; play_session_id: number; received_at: string })[];
}
