// The JSON shapes of the v1 protocol. They keep the wire's snake_case names;
// the client maps its camelCase options onto them in one place.

/** A metric session: one run of a game by one player. */
export interface Session {
  id: number;
  unique_id: string;
  build_number: string;
  study_id: string;
  opened_at: string;
  closed_at: string | null;
}

/** A play session: one attempt inside a metric session. */
export interface PlaySession {
  id: number;
  metric_session_id: number;
  started_at: string;
  ended_at: string | null;
}

/** One event as the server receives it. */
export interface WireEvent {
  event_type: number;
  event_subtype?: number;
  x?: number;
  y?: number;
  z?: number;
  magnitude?: number;
  data?: Record<string, unknown>;
  timestamp: string;
  client_event_id: string;
}

/** Why the server refused one event of a batch. */
export interface WireRejection {
  index: number;
  field: string;
  rule: string;
  message: string;
}

/** The server's answer to a batch of events. */
export interface BatchResult {
  stored: number;
  duplicates: number;
  rejected: WireRejection[];
}

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; field?: string; rule?: string };
  request_id?: string;
}
