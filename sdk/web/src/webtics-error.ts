/**
 * A failed request to the server, or a network failure on the way there.
 * `retryable` says whether sending the same request again may succeed.
 *
 * @example
 * try {
 *   await client.startSession('player-4f2a9c');
 * } catch (error) {
 *   if (error instanceof WebTicsError && error.status === 401) askForKey();
 * }
 */
export class WebTicsError extends Error {
  override readonly name = 'WebTicsError';

  constructor(
    message: string,
    /** The server's error code, or `network_error` when no answer came. */
    readonly code: string,
    /** The HTTP status, or undefined when no answer came. */
    readonly status: number | undefined,
    readonly retryable: boolean,
    readonly details: {
      field?: string;
      rule?: string;
      requestId?: string;
      /** Milliseconds the server asked us to wait (Retry-After). */
      retryAfterMs?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
  }
}
