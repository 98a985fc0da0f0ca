import { WebTicsError } from './webtics-error.js';
import type { BatchResult, WireEvent } from './wire.js';

/** An event the server will never accept, and why. */
export interface RejectedEvent {
  event: WireEvent;
  field?: string;
  rule: string;
  message: string;
}

/** How the queue sends, and whom it tells. */
export interface EventQueueOptions {
  batchSize: number;
  flushIntervalMs: number;
  /** Sends one batch for one play session, retrying as it sees fit. */
  send: (playSessionId: number, events: WireEvent[]) => Promise<BatchResult>;
  onRejected?: (rejections: RejectedEvent[]) => void;
  onError?: (error: unknown) => void;
}

interface QueuedEvent {
  playSessionId: number;
  event: WireEvent;
}

/**
 * Holds logged events in memory and sends them in batches: when a batch is
 * full, when the oldest event has waited `flushIntervalMs`, or on `flush()`.
 * Only one send runs at a time, so events reach the server in order.
 *
 * @example
 * const queue = new EventQueue({ batchSize: 50, flushIntervalMs: 5000, send });
 * queue.push(playSessionId, event);
 * await queue.flush();
 */
export class EventQueue {
  private readonly queue: QueuedEvent[] = [];
  private flushing: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: EventQueueOptions) {}

  /** How many events wait to be sent. */
  get size(): number {
    return this.queue.length;
  }

  /**
   * Adds an event for the given play session.
   *
   * @example
   * queue.push(17, { event_type: 100, timestamp, client_event_id });
   */
  push(playSessionId: number, event: WireEvent): void {
    this.queue.push({ playSessionId, event });
    if (this.queue.length >= this.options.batchSize) this.flushInBackground();
    else this.scheduleFlush();
  }

  /**
   * Sends every queued event; a call made while a flush runs shares it.
   * Throws when a batch cannot be sent; that batch and the rest stay queued.
   *
   * @example
   * await queue.flush();
   */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    this.cancelTimer();
    while (this.queue.length > 0) {
      const { playSessionId, events } = this.nextBatch();
      const rejections = await this.sendBatch(playSessionId, events);

      this.queue.splice(0, events.length);
      if (rejections.length > 0) this.options.onRejected?.(rejections);
    }
  }

  private nextBatch(): { playSessionId: number; events: WireEvent[] } {
    const playSessionId = this.queue[0]!.playSessionId;
    const events: WireEvent[] = [];
    for (const queued of this.queue) {
      if (queued.playSessionId !== playSessionId) break;
      if (events.length >= this.options.batchSize) break;
      events.push(queued.event);
    }
    return { playSessionId, events };
  }

  private async sendBatch(playSessionId: number, events: WireEvent[]): Promise<RejectedEvent[]> {
    try {
      const result = await this.options.send(playSessionId, events);
      return result.rejected.map(({ index, ...reason }) => ({ event: events[index]!, ...reason }));
    } catch (error) {
      if (!isRefusedForGood(error)) throw error;

      const { field, rule } = error.details;
      return events.map((event) => ({
        event,
        field,
        rule: rule ?? error.code,
        message: error.message,
      }));
    }
  }

  private flushInBackground(): void {
    this.flush().catch((error: unknown) => {
      if (this.options.onError) this.options.onError(error);
      else console.warn('WebTics: sending events failed; they stay queued', error);
    });
  }

  private scheduleFlush(): void {
    if (this.timer !== undefined) return;

    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushInBackground();
    }, this.options.flushIntervalMs);
  }

  private cancelTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}

// A whole batch refused in a way that sending it again cannot change. A
// missing or wrong key is not among them: fixing the key lets the events in.
function isRefusedForGood(error: unknown): error is WebTicsError {
  if (!(error instanceof WebTicsError) || error.retryable) return false;
  return error.status !== undefined && error.status !== 401 && error.status !== 403;
}
