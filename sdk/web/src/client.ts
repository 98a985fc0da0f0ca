import { adoptAbandoned, underLock } from './adoption.js';
import type { Clock } from './clock.js';
import { checkFields } from './event-data.js';
import { newEventId } from './event-id.js';
import type { LogArguments, LogFields } from './event-types.js';
import { Flusher } from './flusher.js';
import { ownerOf } from './identity.js';
import { watchLifecycle } from './lifecycle.js';
import { resolveOptions, type ResolvedOptions, type WebTicsOptions } from './options.js';
import { consentBody, type ConsentRequest } from './research.js';
import { isRetryable, withRetry } from './retry.js';
import { maxSequence, type SessionState } from './storage-layout.js';
import { StoredQueue } from './stored-queue.js';
import { Transport } from './transport.js';
import { notProcessed, type WebTicsError } from './webtics-error.js';
import type {
  Completeness,
  ConsentReceipt,
  DeletionReceipt,
  ParticipantData,
  PlaySession,
  Session,
  WireEvent,
} from './wire.js';

interface CallOptions {
  auth?: boolean;
  /** Which failures may be sent again; by default every retryable one. */
  shouldRetry?: (error: unknown) => error is WebTicsError;
}

/**
 * Sends a game's sessions and events to a WebTics server, exactly once and in
 * order. Each event is stamped with a client event id, a sequence number and
 * a monotonic time, stored (localStorage in browsers) before `log()` returns,
 * and sent in batches; failed sends are retried with the same ids, so the
 * server stores each event once. Unsent events survive a reload or crash and
 * are sent by the next instance.
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
  private readonly options: ResolvedOptions;
  private readonly clock: Clock;
  private readonly transport: Transport;
  private readonly queue: StoredQueue;
  private readonly flusher: Flusher;
  private readonly ready: Promise<void>;
  private owner: string;
  /** What an earlier run with this instance id left open; see {@link startSession}. */
  private readonly restored: { sessionId?: number; playId?: number };
  private monotonicOrigin = 0;
  private stopWatching: () => void = () => undefined;
  private stopHeartbeat: () => void = () => undefined;
  private closed = false;

  constructor(options: WebTicsOptions) {
    this.options = resolveOptions(options);
    const { url, apiKey, fetch, clock, requestTimeoutMs } = this.options;
    this.clock = clock;
    this.owner = ownerOf(url, apiKey);
    this.transport = new Transport({ url, apiKey, fetch, clock, timeoutMs: requestTimeoutMs });
    this.queue = this.openQueue();
    this.restored = { sessionId: this.state.session?.id, playId: this.state.play?.id };
    this.flusher = this.makeFlusher();
    this.restoreMonotonicOrigin();

    this.ready = this.adopt();
    this.beat();
    if (this.options.watchLifecycle) this.watch();
    if (!this.queue.isEmpty) this.flusher.noteLogged();
  }

  /** The open metric session's id, if any. */
  get sessionId(): number | undefined {
    return this.state.session?.id;
  }

  /** The open play session's id, if any. */
  get playSessionId(): number | undefined {
    return this.state.play?.id;
  }

  /** How many logged events have not been confirmed by the server yet. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /** The 401 or 403 that paused sending, if it is paused; see {@link resumeSending}. */
  get paused(): WebTicsError | undefined {
    return this.flusher.paused;
  }

  /** The id naming this instance's queue in storage. */
  get instanceId(): string {
    return this.options.instanceId;
  }

  private get state(): SessionState {
    return this.queue.state;
  }

  /**
   * Opens a metric session for one player (their pseudonym, or the
   * participant id from {@link consent}). A session and play that an earlier
   * run with this `instanceId` left open are closed first: their closes (the
   * play's with its last sequence number) are queued behind their events and
   * sent with them, now or, if the server cannot be reached, later.
   *
   * @example
   * const session = await client.startSession('player-4f2a9c');
   */
  async startSession(uniqueId: string, buildNumber = this.options.buildNumber): Promise<Session> {
    const { session: open, play } = this.state;
    const opened = open && open.id !== this.restored.sessionId;
    if (opened || (play && play.id !== this.restored.playId)) {
      throw new Error('A session is already open; end it first');
    }
    if (open) this.closeLeftOpen({ session: true });

    const body = { unique_id: uniqueId, build_number: buildNumber };
    const session = await this.call<Session>('POST', '/api/v1/sessions', body);
    this.state.session = { id: session.id, uniqueId };
    this.queue.saveState();
    return session;
  }

  /**
   * Opens a play session (one attempt) inside the open metric session. Its
   * events count `sequence` from 1 and `monotonic_ms` from this call. A play
   * that an earlier run with this `instanceId` left open is closed first, as
   * in {@link startSession}.
   *
   * @example
   * await client.startPlay();
   */
  async startPlay(): Promise<PlaySession> {
    const session = this.state.session;
    const open = this.state.play;
    if (!session) throw new Error('Start a session before a play');
    if (open && open.id !== this.restored.playId) {
      throw new Error('A play is already open; close it first');
    }
    if (open) this.closeLeftOpen({ session: false });

    const origin = this.clock.monotonic();
    const startedAt = this.clock.now().getTime();
    const body = { metric_session_id: session.id };
    const play = await this.call<PlaySession>('POST', '/api/v1/play-sessions', body);
    this.state.play = { id: play.id, nextSequence: 1, startedAt };
    this.state.lastPlayId = play.id;
    this.queue.saveState();
    this.monotonicOrigin = origin;
    return play;
  }

  /**
   * Stamps an event for the open play, stores it and returns its client event
   * id. For 102–105 a `magnitude` is required (a compile error without one).
   * When `maxStoredEvents` already wait, the event is dropped and passed to
   * `onDropped`; its sequence number stays used, so the gap shows on the server.
   *
   * Throws at once, logging nothing and using no sequence number, for what
   * could never be sent: a TypeError for a number that is not finite or an
   * integer beyond ±(2⁵³ − 1), and for `data` holding a NUL character or an
   * unpaired surrogate, a `__proto__` key, nesting deeper than 32 levels,
   * more than 10 240 bytes of JSON, or a value JSON cannot hold (a BigInt, a
   * cycle, a `toJSON()` that gives undefined). `data` is copied: changing the
   * object afterwards does not change the event.
   *
   * @example
   * client.log(EventType.TRIAL_START, { x: 120, y: 340, data: { trial: 3 } });
   * client.log(EventType.CORRECT_RESPONSE, { magnitude: 412.5, monotonicAt: pointerEvent.timeStamp });
   */
  log<T extends number>(type: T, ...args: LogArguments<T>): string {
    const play = this.state.play;
    if (this.closed) throw new Error('This client is closed');
    if (!play) throw new Error('Start a play before logging events');
    if (!Number.isInteger(type) || type < 0 || type > 999) {
      throw new RangeError(`Event type must be an integer from 0 to 999, not ${type}`);
    }

    const fields = args[0] ?? {};
    const data = checkFields(fields);
    if (play.nextSequence > maxSequence) {
      throw new RangeError('This play has used every sequence number; start a new play');
    }

    const event = this.stamp(type, { ...fields, data }, play);
    const queued = { playSessionId: play.id, event };
    if (this.queue.size >= this.options.maxStoredEvents) {
      this.queue.saveState();
      this.options.onDropped([{ ...queued, reason: 'queue_full' }]);
      return event.client_event_id;
    }
    this.queue.push(queued);
    this.flusher.noteLogged();
    return event.client_event_id;
  }

  /**
   * Sends every queued event, then the queued closes (see {@link startSession}).
   * A call made while a flush runs joins it (and the flush goes round again for
   * newer events). Rejects when sending is paused or the server stays
   * unreachable; what is unsent stays stored.
   *
   * @example
   * await client.flush();
   */
  async flush(): Promise<void> {
    await this.ready;
    return this.flusher.flush();
  }

  /**
   * Sends the queued events, then closes the open play, telling the server the
   * last sequence number given out so it can spot events missing at the end.
   *
   * @example
   * await client.closePlay();
   */
  async closePlay(): Promise<PlaySession | undefined> {
    const play = this.state.play;
    if (!play) return undefined;

    await this.flush();
    const path = `/api/v1/play-sessions/${play.id}/close`;
    const closed = await this.call<PlaySession>('POST', path, {
      last_sequence: play.nextSequence - 1,
    });
    this.state.play = null;
    this.queue.saveState();
    return closed;
  }

  /**
   * The former name of {@link closePlay}.
   *
   * @deprecated Use closePlay().
   * @example
   * await client.endPlay();
   */
  async endPlay(): Promise<void> {
    await this.closePlay();
  }

  /**
   * Closes the open play, sends the queued events and closes the session.
   *
   * @example
   * await client.endSession();
   */
  async endSession(): Promise<void> {
    await this.closePlay();
    const session = this.state.session;
    if (!session) return;

    await this.flush();
    await this.call('POST', `/api/v1/sessions/${session.id}/close`);
    this.state.session = null;
    this.queue.saveState();
  }

  /**
   * Asks the server how complete a play session arrived: events stored,
   * duplicates, rejected, and ranges of missing sequence numbers. Without an
   * id, the open play session or else the last one.
   *
   * @example
   * const report = await client.completeness();
   * if (!report.complete) console.warn('missing', report.missing);
   */
  async completeness(
    playSessionId = this.state.play?.id ?? this.state.lastPlayId,
  ): Promise<Completeness> {
    if (playSessionId === null || playSessionId === undefined) {
      throw new Error('No play session yet; pass its id');
    }
    return this.call<Completeness>('GET', `/api/v1/play-sessions/${playSessionId}/completeness`);
  }

  /**
   * Records a participant's consent. Answers the participant id (use it as
   * `unique_id` in {@link startSession}) and a withdrawal code that the server
   * never stores: show it to the participant now. Retried only when the server
   * says it did nothing (429, 503), so no second consent is made.
   *
   * @example
   * const { participant_id, withdrawal_code } = await client.consent({ consentVersion: '2.1' });
   * showCodeToParticipant(withdrawal_code);
   * await client.startSession(participant_id);
   */
  consent(request: ConsentRequest): Promise<ConsentReceipt> {
    const path = '/api/v1/research/consent';
    return this.call('POST', path, consentBody(request), { shouldRetry: notProcessed });
  }

  /**
   * Withdraws a participant with their code: the server erases all their data
   * and answers a signed receipt. Needs no API key.
   *
   * @example
   * const { receipt } = await client.withdraw(codeTypedByParticipant);
   * console.log(receipt.erased.events);
   */
  withdraw(code: string): Promise<DeletionReceipt> {
    const options = { auth: false, shouldRetry: notProcessed };
    return this.call('POST', '/api/v1/research/withdraw', { code }, options);
  }

  /**
   * Downloads everything the server holds about a participant, with their
   * code (sent in the body, never in the URL). Needs no API key.
   *
   * @example
   * const data = await client.myData(codeTypedByParticipant);
   */
  myData(code: string): Promise<ParticipantData> {
    return this.call('POST', '/api/v1/research/my-data', { code }, { auth: false });
  }

  /**
   * Lifts the pause after a 401 or 403, optionally with a new key, and sends.
   *
   * @example
   * client.resumeSending(newKey);
   */
  resumeSending(apiKey?: string): void {
    if (apiKey !== undefined) {
      this.transport.apiKey = apiKey;
      // The queue now goes with this key: a restart with it carries on.
      this.owner = ownerOf(this.options.url, apiKey);
      this.queue.owner = this.owner;
    }
    this.flusher.resume();
  }

  /**
   * Sends what it can within `closeTimeoutMs`, then frees this instance's
   * queue for the next instance to adopt and stops its timers and listeners.
   *
   * @example
   * await client.close();
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopWatching();
    this.stopHeartbeat();
    this.flusher.stop();

    await this.lastFlush();
    this.queue.release();
  }

  private async lastFlush(): Promise<void> {
    await this.ready;
    if (this.queue.isEmpty || this.flusher.paused) return;

    const cancel = this.clock.setTimer(() => this.flusher.interrupt(), this.options.closeTimeoutMs);
    try {
      await this.flusher.flush();
    } catch (error) {
      this.options.onError(error);
    } finally {
      cancel();
    }
  }

  private stamp(
    type: number,
    fields: LogFields,
    play: NonNullable<SessionState['play']>,
  ): WireEvent {
    const { subtype, x, y, z, magnitude, data, at, monotonicAt } = fields;
    const elapsed = (monotonicAt ?? this.clock.monotonic()) - this.monotonicOrigin;
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
      timestamp: (at ?? this.clock.now()).toISOString(),
      client_event_id: newEventId(),
      sequence: play.nextSequence++,
      monotonic_ms: Math.round(Math.max(0, elapsed) * 1000) / 1000,
    };
  }

  private call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    options: CallOptions = {},
  ): Promise<T> {
    const { auth, shouldRetry = isRetryable } = options;
    const attempt = () => this.transport.request<T>(method, path, body, { auth });
    return withRetry(attempt, this.options.retry, this.clock, { shouldRetry });
  }

  private openQueue(): StoredQueue {
    const { storage, storageNamespace, instanceId, clock, onError } = this.options;
    return new StoredQueue({
      storage,
      namespace: storageNamespace,
      instanceId,
      owner: this.owner,
      clock,
      onStorageProblem: onError,
    });
  }

  private makeFlusher(): Flusher {
    const { batchSize, flushIntervalMs, retry, onRejected, onError } = this.options;
    return new Flusher({
      queue: this.queue,
      transport: this.transport,
      clock: this.clock,
      policy: retry,
      batchSize,
      flushIntervalMs,
      reportRejected: onRejected,
      reportError: onError,
    });
  }

  // Opened by this run, an open session or play is the caller's to close; left
  // open by a run that crashed, it is closed through the queue, behind its own
  // events, so that neither is lost while the server cannot be reached.
  private closeLeftOpen(which: { session: boolean }): void {
    const { session, play, closes } = this.state;
    if (play) closes.push({ kind: 'play', id: play.id, lastSequence: play.nextSequence - 1 });
    if (which.session && session) closes.push({ kind: 'session', id: session.id });
    this.state.play = null;
    if (which.session) this.state.session = null;
    this.queue.saveState();
    this.flusher.flushInBackground();
  }

  // A play carried over from an earlier run of this instance (same id):
  // performance.now() started again, so the origin is placed where the play
  // began by the wall clock. Less exact, but it keeps counting up.
  private restoreMonotonicOrigin(): void {
    const play = this.state.play;
    if (!play) return;

    const sinceStart = this.clock.now().getTime() - play.startedAt;
    this.monotonicOrigin = this.clock.monotonic() - Math.max(0, sinceStart);
  }

  private async adopt(): Promise<void> {
    const { storage, storageNamespace: namespace, instanceId, staleAfterMs, locks } = this.options;
    const options = { storage, namespace, instanceId, owner: this.owner, staleAfterMs };
    if (!this.queue.storing) return;
    try {
      const adopted = await underLock(locks, `${namespace}:adopt`, () =>
        adoptAbandoned(this.queue, { ...options, now: this.clock.now().getTime() }),
      );
      if (adopted > 0) this.flusher.noteLogged();
    } catch (error) {
      this.options.onError(error);
    }
  }

  private beat(): void {
    this.stopHeartbeat = this.clock.setTimer(() => {
      this.queue.heartbeat();
      void this.adopt();
      this.beat();
    }, this.options.heartbeatMs);
  }

  private watch(): void {
    this.stopWatching = watchLifecycle({
      hidden: () => {
        this.queue.heartbeat();
        this.flusher.flushInBackground({ keepalive: true });
      },
      shown: () => this.queue.heartbeat(),
      pageHide: (persisted) => {
        this.flusher.flushInBackground({ keepalive: true });
        // From the back-forward cache the page may return; otherwise it is gone.
        if (!persisted) this.queue.release();
      },
      beforeExit: () => this.lastFlush(),
      exit: () => this.queue.release(),
    });
  }
}
