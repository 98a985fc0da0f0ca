import { newEventId } from './event-id.js';
import { EventQueue, type RejectedEvent } from './event-queue.js';
import { postJson, type Endpoint } from './request.js';
import { defaultRetryPolicy, withRetry, type RetryPolicy } from './retry.js';
import type { BatchResult, PlaySession, Session, WireEvent } from './wire.js';

/** Settings for a {@link WebTics} client. */
export interface WebTicsOptions {
  /** The server's base URL, e.g. `https://webtics.example.org`. */
  url: string;
  /** An ingest key for the study. */
  apiKey: string;
  /** The game's build, 1–50 characters of `A-Z a-z 0-9 _ . -`. */
  buildNumber: string;
  /** Events per request, 1–1000; a full batch is sent at once. Default 50. */
  batchSize?: number;
  /** How long a logged event may wait before it is sent. Default 5000 ms. */
  flushIntervalMs?: number;
  /** A fetch implementation; the global one by default. */
  fetch?: typeof fetch;
  /** How often to retry a request that may succeed later. */
  retry?: Partial<RetryPolicy>;
  /** Called with events the server refused for good; they are not sent again. */
  onRejected?: (rejections: RejectedEvent[]) => void;
  /** Called when a flush the client started by itself fails; the events stay queued. */
  onError?: (error: unknown) => void;
}

/** What an event may carry besides its type. */
export interface LogFields {
  subtype?: number;
  x?: number;
  y?: number;
  z?: number;
  /** Its meaning depends on the type, e.g. a reaction time in ms. */
  magnitude?: number;
  /** A JSON object of at most 10 KB. */
  data?: Record<string, unknown>;
  /** When it happened; now by default. */
  at?: Date;
}

/**
 * Sends a game's sessions and events to a WebTics server. Events are queued
 * and sent in batches; failed sends are retried, and the client event id
 * that each event carries keeps a retried event from being stored twice.
 *
 * Unsent events live in memory only: closing the page loses them.
 *
 * @example
 * const client = new WebTics({ url, apiKey, buildNumber: '1.4.0' });
 * await client.startSession('player-4f2a9c');
 * await client.startPlay();
 * client.log(EventType.TASK_START);
 * client.log(EventType.CORRECT_RESPONSE, { magnitude: 412.5 });
 * await client.endSession();
 */
export class WebTics {
  private readonly endpoint: Endpoint;
  private readonly retry: RetryPolicy;
  private readonly queue: EventQueue;
  private session: Session | undefined;
  private play: PlaySession | undefined;

  constructor(private readonly options: WebTicsOptions) {
    const doFetch = options.fetch ?? globalThis.fetch;
    this.endpoint = {
      url: options.url,
      apiKey: options.apiKey,
      fetch: (input, init) => doFetch(input, init),
    };
    this.retry = { ...defaultRetryPolicy, ...options.retry };
    this.queue = new EventQueue({
      batchSize: Math.min(1000, Math.max(1, options.batchSize ?? 50)),
      flushIntervalMs: options.flushIntervalMs ?? 5000,
      send: (playSessionId, events) => this.sendBatch(playSessionId, events),
      onRejected: options.onRejected,
      onError: options.onError,
    });
  }

  /** The open metric session's id, if any. */
  get sessionId(): number | undefined {
    return this.session?.id;
  }

  /** The open play session's id, if any. */
  get playSessionId(): number | undefined {
    return this.play?.id;
  }

  /** How many logged events have not been sent yet. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /**
   * Opens a metric session for one player.
   *
   * @example
   * const session = await client.startSession('player-4f2a9c');
   */
  async startSession(uniqueId: string): Promise<Session> {
    if (this.session) throw new Error('A session is already open; end it first');

    const body = { unique_id: uniqueId, build_number: this.options.buildNumber };
    this.session = await this.post<Session>('/api/v1/sessions', body);
    return this.session;
  }

  /**
   * Opens a play session (one attempt) inside the open metric session.
   *
   * @example
   * await client.startPlay();
   */
  async startPlay(): Promise<PlaySession> {
    if (!this.session) throw new Error('Start a session before a play');
    if (this.play) throw new Error('A play is already open; end it first');

    const body = { metric_session_id: this.session.id };
    this.play = await this.post<PlaySession>('/api/v1/play-sessions', body);
    return this.play;
  }

  /**
   * Queues an event for the open play and returns its client event id.
   *
   * @example
   * client.log(EventType.TRIAL_START, { x: 120, y: 340, data: { trial: 3 } });
   */
  log(type: number, fields: LogFields = {}): string {
    if (!this.play) throw new Error('Start a play before logging events');
    if (!Number.isInteger(type) || type < 0 || type > 999) {
      throw new RangeError(`Event type must be an integer from 0 to 999, not ${type}`);
    }

    const event = toWireEvent(type, fields);
    this.queue.push(this.play.id, event);
    return event.client_event_id;
  }

  /**
   * Sends every queued event. Calls made while a flush runs share it. Throws
   * when the server stays unreachable; the unsent events stay queued.
   *
   * @example
   * await client.flush();
   */
  flush(): Promise<void> {
    return this.queue.flush();
  }

  /**
   * Sends the queued events and closes the open play.
   *
   * @example
   * await client.endPlay();
   */
  async endPlay(): Promise<void> {
    if (!this.play) return;

    await this.flush();
    await this.post(`/api/v1/play-sessions/${this.play.id}/close`);
    this.play = undefined;
  }

  /**
   * Closes the open play, sends the queued events and closes the session.
   *
   * @example
   * await client.endSession();
   */
  async endSession(): Promise<void> {
    await this.endPlay();
    if (!this.session) return;

    await this.flush();
    await this.post(`/api/v1/sessions/${this.session.id}/close`);
    this.session = undefined;
  }

  private sendBatch(playSessionId: number, events: WireEvent[]): Promise<BatchResult> {
    return this.post<BatchResult>(`/api/v1/events/batch?play_session_id=${playSessionId}`, events);
  }

  private post<T>(path: string, body?: unknown): Promise<T> {
    return withRetry(() => postJson<T>(this.endpoint, path, body), this.retry);
  }
}

function toWireEvent(type: number, fields: LogFields): WireEvent {
  const { subtype, x, y, z, magnitude, data, at } = fields;
  // Named one by one so that no stray property reaches the wire, where the
  // server would reject the event; JSON.stringify drops the undefined ones.
  return {
    event_type: type,
    event_subtype: subtype,
    x,
    y,
    z,
    magnitude,
    data,
    timestamp: (at ?? new Date()).toISOString(),
    client_event_id: newEventId(),
  };
}
