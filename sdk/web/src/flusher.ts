import type { Clock } from './clock.js';
import { deliverBatch, type DeliveryContext, type RejectedEvent } from './deliver-batch.js';
import { deliverCloses } from './deliver-closes.js';
import type { RetryPolicy } from './retry.js';
import type { StoredQueue } from './stored-queue.js';
import type { Transport } from './transport.js';
import { WebTicsError } from './webtics-error.js';

/** Keepalive bodies in flight stay under the browsers' 64 KB, with room for headers. */
const keepaliveLimitBytes = 60_000;
/** The longest pause between background flushes that keep failing. */
const maxIdleMs = 5 * 60_000;

/**
 * What the flusher sends, how, and whom it tells.
 *
 * @example
 * const options: FlusherOptions = { queue, transport, clock, policy, batchSize: 50, flushIntervalMs: 5000, reportRejected, reportError };
 */
export interface FlusherOptions {
  queue: StoredQueue;
  transport: Transport;
  clock: Clock;
  policy: RetryPolicy;
  batchSize: number;
  flushIntervalMs: number;
  reportRejected: (rejections: RejectedEvent[]) => void;
  /** Told when a flush the SDK started by itself fails, or a queued close is refused. */
  reportError: (error: unknown) => void;
}

/**
 * Sends the queue in batches, then the queued closes, one flush at a time: a
 * flush asked for while one runs joins it, and the running flush goes round
 * once more for the events that came meanwhile. A flush sends what was queued when it began, so steady
 * logging cannot keep it going forever. Flushes start by themselves when a
 * batch is full, when the oldest event has waited `flushIntervalMs`, and, after
 * a failure, again later with growing pauses.
 *
 * @example
 * const flusher = new Flusher({ queue, transport, clock, policy, batchSize: 50, flushIntervalMs: 5000, reportRejected, reportError });
 * flusher.noteLogged();
 * await flusher.flush();
 */
export class Flusher {
  private running: Promise<void> | undefined;
  private again = false;
  private keepalive = false;
  private cancelTimer: (() => void) | undefined;
  private failures = 0;
  private stopped = false;
  private pausedBy: WebTicsError | undefined;
  private abort: AbortController | undefined;
  private readonly budget = { limitBytes: keepaliveLimitBytes, inFlightBytes: 0 };

  constructor(private readonly options: FlusherOptions) {}

  /** The 401 or 403 that paused sending, if sending is paused. */
  get paused(): WebTicsError | undefined {
    return this.pausedBy;
  }

  /**
   * Sends what is queued, events and closes. Rejects when sending is paused or the server stays
   * unreachable; the events stay queued either way.
   *
   * @example
   * await flusher.flush({ keepalive: true }); // the page is being hidden
   */
  flush(options: { keepalive?: boolean } = {}): Promise<void> {
    if (options.keepalive) this.keepalive = true;
    if (this.running) {
      this.again = true;
      return this.running;
    }

    this.running = this.start();
    return this.running;
  }

  /**
   * Starts a flush now when a batch is full, else makes sure one comes within
   * `flushIntervalMs`.
   *
   * @example
   * queue.push(event);
   * flusher.noteLogged();
   */
  noteLogged(): void {
    if (this.pausedBy || this.stopped) return;

    if (this.options.queue.size >= this.options.batchSize) this.flushInBackground();
    else this.schedule(this.options.flushIntervalMs);
  }

  /**
   * Flushes without waiting; a failure goes to `reportError`.
   *
   * @example
   * document.addEventListener('visibilitychange', () => flusher.flushInBackground({ keepalive: true }));
   */
  flushInBackground(options: { keepalive?: boolean } = {}): void {
    if (this.pausedBy || this.stopped || this.options.queue.isEmpty) return;

    this.flush(options).catch((error: unknown) => this.options.reportError(error));
  }

  /**
   * Lifts a pause (after a 401 or 403) and flushes.
   *
   * @example
   * flusher.resume();
   */
  resume(): void {
    this.pausedBy = undefined;
    this.flushInBackground();
  }

  /**
   * Cuts short the waits and requests of the running flush, if one runs; its
   * unsent events stay queued.
   *
   * @example
   * setTimeout(() => flusher.interrupt(), closeTimeoutMs);
   */
  interrupt(): void {
    this.abort?.abort(new WebTicsError('Sending was interrupted', 'interrupted', undefined, true));
  }

  /**
   * Stops timed flushes for good; explicit flushes still work.
   *
   * @example
   * flusher.stop();
   */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
  }

  private async start(): Promise<void> {
    const abort = (this.abort = new AbortController());
    try {
      await this.run(abort.signal);
      this.failures = 0;
    } catch (error) {
      this.retryLater(error);
      throw error;
    } finally {
      this.running = undefined;
      this.abort = undefined;
      this.keepalive = false;
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    do {
      this.again = false;
      await this.drain(this.options.queue.lastOrder, signal);
      await deliverCloses(this.context(signal));
    } while (this.again);
  }

  private async drain(upToOrder: number, signal: AbortSignal): Promise<void> {
    const { queue, batchSize } = this.options;
    for (;;) {
      if (this.pausedBy) throw this.pausedBy;
      if (signal.aborted) throw signal.reason;
      const batch = queue.nextBatch(batchSize, upToOrder);
      if (batch.length === 0) return;

      await deliverBatch(this.context(signal), batch);
    }
  }

  private context(signal: AbortSignal): DeliveryContext {
    const { transport, queue, policy, clock, reportRejected, reportError } = this.options;
    return {
      transport,
      queue,
      policy,
      clock,
      keepalive: this.keepalive ? this.budget : undefined,
      signal,
      reportRejected,
      reportError,
      pause: (error) => (this.pausedBy = error),
    };
  }

  // Whoever asked for the flush hears of the failure; the events are tried
  // again later whether anyone asks or not.
  private retryLater(error: unknown): void {
    this.failures++;
    if (this.pausedBy) return;

    const backoff = Math.min(maxIdleMs, this.options.flushIntervalMs * 2 ** this.failures);
    const asked = error instanceof WebTicsError ? (error.details.retryAfterMs ?? 0) : 0;
    this.schedule(Math.max(backoff, asked));
  }

  private schedule(ms: number): void {
    if (this.cancelTimer || this.stopped) return;

    this.cancelTimer = this.options.clock.setTimer(() => {
      this.cancelTimer = undefined;
      this.flushInBackground();
    }, ms);
  }
}
