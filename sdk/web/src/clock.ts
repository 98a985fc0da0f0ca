/**
 * Every source of time and chance the SDK uses, in one place so that tests
 * (and the wire fixtures) can run it on a virtual clock.
 *
 * @example
 * const client = new WebTics({ url, apiKey, buildNumber, clock: { now: () => skewedDate() } });
 */
export interface Clock {
  /** The wall clock: stamps `timestamp` and `X-Client-Sent-At`. */
  now(): Date;
  /** A clock in ms that never jumps (`performance.now()`): measures `monotonic_ms`. */
  monotonic(): number;
  /**
   * Resolves after `ms`, or rejects when `signal` aborts first. Used between
   * retries, so it keeps a Node process alive until then.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `callback` after `ms` and returns a function that cancels it. Used for
   * background work (timed flushes, heartbeats), so it never keeps Node alive.
   */
  setTimer(callback: () => void, ms: number): () => void;
  /** A number from 0 (inclusive) to 1 (exclusive), for jitter. */
  random(): number;
}

/**
 * The real clock of a browser or of Node.
 *
 * @example
 * // A device whose clock runs an hour ahead:
 * const clock = { ...systemClock, now: () => new Date(Date.now() + 3_600_000) };
 */
export const systemClock: Clock = {
  now: () => new Date(),
  monotonic: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const handle = setTimeout(resolve, ms);
      signal?.addEventListener('abort', () => {
        clearTimeout(handle);
        reject(signal.reason as Error);
      });
    }),
  setTimer(callback, ms) {
    const handle: unknown = setTimeout(callback, ms);
    // Node's timers have unref(); a pending heartbeat must not hold the process open.
    (handle as { unref?: () => void }).unref?.();
    return () => clearTimeout(handle as number);
  },
  random: () => Math.random(),
};
