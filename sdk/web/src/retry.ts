import type { Clock } from './clock.js';
import { WebTicsError } from './webtics-error.js';

/**
 * How hard to try before giving up, per request and per flush.
 *
 * @example
 * new WebTics({ url, apiKey, buildNumber, retry: { maxAttempts: 8, maxDelayMs: 30_000 } });
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The ceiling of the first backoff, doubled for each retry after. */
  baseDelayMs: number;
  /** The highest ceiling a backoff reaches. */
  maxDelayMs: number;
  /**
   * The longest Retry-After worth waiting for inside one call. Asked to wait
   * longer, the call gives up at once and the events wait for a later flush.
   */
  maxRetryAfterMs: number;
}

/**
 * Five attempts; backoff ceilings of 0.5, 1, 2 and 4 s (so well under 10 s of
 * waiting in all), unless the server asks for longer, up to a minute.
 *
 * @example
 * new WebTics({ url, apiKey, buildNumber, retry: { ...defaultRetryPolicy, maxAttempts: 8 } });
 */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
};

/**
 * The wait before retry number `n` (1 for the first retry): "full jitter",
 * a random time between 0 and min(maxDelayMs, baseDelayMs·2ⁿ⁻¹), so that
 * clients that failed together do not come back together. A Retry-After is a
 * floor the jitter is added to.
 *
 * @example
 * retryDelay(3, defaultRetryPolicy, Math.random); // 0 … 2000 ms
 * retryDelay(1, defaultRetryPolicy, Math.random, 5000); // 5000 … 5500 ms
 */
export function retryDelay(
  n: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  return (retryAfterMs ?? 0) + random() * ceiling;
}

/**
 * Runs `attempt` until it succeeds, fails in a way `shouldRetry` refuses, or
 * the attempts run out; then the last error is thrown.
 *
 * @example
 * const session = await withRetry(() => transport.request('POST', path, body), policy, clock);
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  clock: Clock,
  options: { shouldRetry?: (error: unknown) => error is WebTicsError; signal?: AbortSignal } = {},
): Promise<T> {
  const { shouldRetry = isRetryable, signal } = options;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!shouldRetry(error) || n >= policy.maxAttempts) throw error;
      const retryAfterMs = error.details.retryAfterMs;
      if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) throw error;

      await clock.sleep(
        retryDelay(n, policy, () => clock.random(), retryAfterMs),
        signal,
      );
    }
  }
}

/**
 * True for failures that a later attempt may not meet.
 *
 * @example
 * if (isRetryable(error)) scheduleAnotherFlush();
 */
export function isRetryable(error: unknown): error is WebTicsError {
  return error instanceof WebTicsError && error.retryable;
}
