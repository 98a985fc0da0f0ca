import { WebTicsError } from './webtics-error.js';

/** How hard to try before giving up. */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The wait before the first retry, doubled for each one after. */
  baseDelayMs: number;
  /** The longest wait between two attempts that we choose ourselves. */
  maxDelayMs: number;
}

/** Five attempts over roughly half a minute at most. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
};

/**
 * Runs `attempt` until it succeeds, it fails for good, or the attempts run
 * out; the last error is thrown. Waits grow exponentially with full jitter,
 * and never fall short of the server's Retry-After.
 *
 * @example
 * const result = await withRetry(() => postJson(endpoint, path, body), defaultRetryPolicy);
 */
export async function withRetry<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (!isRetryable(error) || n >= policy.maxAttempts) throw error;

      await sleep(retryDelay(n, policy, error.details.retryAfterMs));
    }
  }
}

/**
 * The wait before retry number `n` (1 for the first retry).
 *
 * @example
 * retryDelay(3, defaultRetryPolicy); // somewhere between 0 and 2000 ms
 */
export function retryDelay(n: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (n - 1));
  const jittered = Math.random() * ceiling;
  // Spread clients that were all told the same Retry-After a little apart.
  return retryAfterMs === undefined ? jittered : retryAfterMs + jittered / 4;
}

function isRetryable(error: unknown): error is WebTicsError {
  return error instanceof WebTicsError && error.retryable;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
