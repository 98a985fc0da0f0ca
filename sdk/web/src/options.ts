import type { LockManagerLike } from './adoption.js';
import { systemClock, type Clock } from './clock.js';
import type { RejectedEvent } from './deliver-batch.js';
import { newInstanceId } from './identity.js';
import { defaultStorage, type QueueStorage } from './queue-storage.js';
import { defaultRetryPolicy, type RetryPolicy } from './retry.js';
import type { WireEvent } from './wire.js';

/**
 * An event the SDK dropped itself, before sending it: `queue_full` when
 * `maxStoredEvents` were already waiting.
 *
 * @example
 * const client = new WebTics({ ...options, onDropped: (events) => showOfflineWarning(events.length) });
 */
export interface DroppedEvent {
  event: WireEvent;
  playSessionId: number;
  reason: 'queue_full';
}

/**
 * Settings for a {@link WebTics} client. Only `url`, `apiKey` and
 * `buildNumber` are required.
 *
 * @example
 * const options: WebTicsOptions = { url: 'https://webtics.example.org', apiKey, buildNumber: '1.4.0' };
 */
export interface WebTicsOptions {
  /** The server's base URL, e.g. `https://webtics.example.org`. */
  url: string;
  /** An ingest key for the study. */
  apiKey: string;
  /** The game's build, up to 50 characters of `A-Z a-z 0-9 _ . -`. */
  buildNumber: string;
  /** Events per request, 1–1000; a full batch is sent at once. Default 50. */
  batchSize?: number;
  /** How long a logged event may wait before it is sent. Default 5000 ms. */
  flushIntervalMs?: number;
  /** A fetch implementation; the global one by default. */
  fetch?: typeof fetch;
  /** How hard to retry; see {@link RetryPolicy}. */
  retry?: Partial<RetryPolicy>;
  /** An attempt without an answer after this long counts as a network failure. Default 30 000 ms. */
  requestTimeoutMs?: number;
  /** Where unsent events are kept: localStorage in browsers, memory elsewhere. */
  storage?: QueueStorage;
  /**
   * Prefix of the storage keys; give each game on one origin its own. 1–64
   * characters of `A-Z a-z 0-9 _ -`. Default `webtics`.
   */
  storageNamespace?: string;
  /**
   * Names this instance's queue in storage; random by default. A fixed id (in
   * Node, with a file storage) makes a restart carry on with the queue and the
   * open sessions. Never share one between two running instances. 1–64
   * characters of `A-Z a-z 0-9 _ -`, and not `instances` (the index's key)
   * in any mix of cases.
   */
  instanceId?: string;
  /** At most this many events wait; newer ones are dropped (see `onDropped`). Default 10 000. */
  maxStoredEvents?: number;
  /** How often an instance shows it is alive. Default 10 000 ms. */
  heartbeatMs?: number;
  /** Another instance's queue without a heartbeat for this long is adopted. Default 300 000 ms. */
  staleAfterMs?: number;
  /** The longest `close()` and Node's exit wait for a last flush. Default 3000 ms. */
  closeTimeoutMs?: number;
  /** Flush on page hide and process exit. Default true. */
  watchLifecycle?: boolean;
  /** Clocks, timers and randomness; for tests and simulations. */
  clock?: Partial<Clock>;
  /** A Web Locks manager; `navigator.locks` by default, null for none. */
  locks?: LockManagerLike | null;
  /** Receives events the server refused for good; they are not sent again. */
  onRejected?: (rejections: RejectedEvent[]) => void;
  /** Receives events dropped because the queue was full. Default: a console warning. */
  onDropped?: (dropped: DroppedEvent[]) => void;
  /** Receives failures of work the client started by itself; events stay queued. */
  onError?: (error: unknown) => void;
}

/**
 * The options with every default filled in.
 *
 * @example
 * const { batchSize, retry } = resolveOptions(options);
 */
export interface ResolvedOptions {
  url: string;
  apiKey: string;
  buildNumber: string;
  batchSize: number;
  flushIntervalMs: number;
  fetch: typeof fetch;
  retry: RetryPolicy;
  requestTimeoutMs: number;
  storage: QueueStorage;
  storageNamespace: string;
  instanceId: string;
  maxStoredEvents: number;
  heartbeatMs: number;
  staleAfterMs: number;
  closeTimeoutMs: number;
  watchLifecycle: boolean;
  clock: Clock;
  locks: LockManagerLike | undefined;
  onRejected: (rejections: RejectedEvent[]) => void;
  onDropped: (dropped: DroppedEvent[]) => void;
  onError: (error: unknown) => void;
}

/** What a namespace or instance id may be: one part of a storage key, never holding the `:` between parts. */
const namePattern = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Fills in the defaults and keeps numbers in their ranges. Throws a
 * TypeError for a `storageNamespace` or `instanceId` that could make two
 * queues share a storage key.
 *
 * @example
 * const resolved = resolveOptions({ url, apiKey, buildNumber: '1.0.0' });
 */
export function resolveOptions(options: WebTicsOptions): ResolvedOptions {
  const doFetch = options.fetch ?? globalThis.fetch;
  return {
    url: options.url,
    apiKey: options.apiKey,
    buildNumber: options.buildNumber,
    batchSize: clamp(options.batchSize ?? 50, 1, 1000),
    flushIntervalMs: Math.max(0, options.flushIntervalMs ?? 5000),
    // Called through a wrapper: some browsers refuse fetch called as another object's method.
    fetch: (input, init) => doFetch(input, init),
    retry: { ...defaultRetryPolicy, ...options.retry },
    requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
    storage: options.storage ?? defaultStorage().storage,
    storageNamespace: checkName('storageNamespace', options.storageNamespace ?? 'webtics'),
    instanceId: checkName('instanceId', options.instanceId ?? newInstanceId()),
    maxStoredEvents: Math.max(1, options.maxStoredEvents ?? 10_000),
    heartbeatMs: options.heartbeatMs ?? 10_000,
    staleAfterMs: options.staleAfterMs ?? 300_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 3000,
    watchLifecycle: options.watchLifecycle ?? true,
    clock: resolveClock(options.clock),
    locks: options.locks === null ? undefined : (options.locks ?? browserLocks()),
    onRejected: options.onRejected ?? (() => undefined),
    onDropped: options.onDropped ?? warnDropped,
    onError: options.onError ?? ((error) => console.warn('WebTics:', error)),
  };
}

function checkName(option: 'storageNamespace' | 'instanceId', value: unknown): string {
  const text = JSON.stringify(value);
  if (typeof value !== 'string' || !namePattern.test(value)) {
    throw new TypeError(
      `WebTics: ${option} must be 1–64 characters of A-Z a-z 0-9 _ -, not ${text}`,
    );
  }
  // In any case: a file system that ignores case would make it the index's file.
  if (option === 'instanceId' && value.toLowerCase() === 'instances') {
    throw new TypeError(
      `WebTics: instanceId ${text} is the name of the storage index; choose another`,
    );
  }
  return value;
}

// Called as methods of the given clock, so that a clock written as a class works.
function resolveClock(clock: Partial<Clock> = {}): Clock {
  const base = systemClock;
  return {
    now: () => (clock.now ? clock.now() : base.now()),
    monotonic: () => (clock.monotonic ? clock.monotonic() : base.monotonic()),
    sleep: (ms, signal) => (clock.sleep ? clock.sleep(ms, signal) : base.sleep(ms, signal)),
    setTimer: (callback, ms) =>
      clock.setTimer ? clock.setTimer(callback, ms) : base.setTimer(callback, ms),
    random: () => (clock.random ? clock.random() : base.random()),
  };
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.floor(value)));
}

function browserLocks(): LockManagerLike | undefined {
  return (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
}

function warnDropped(dropped: DroppedEvent[]): void {
  console.warn(`WebTics: the queue is full; ${dropped.length} new event(s) dropped`);
}
