/**
 * What the SDK does about a failed request, after the table in
 * docs/sdk-protocol.md: `retry` later, `split` the batch, `pause` sending,
 * drop a play session that is `gone`, or `refuse` (drop and report).
 *
 * @example
 * if (errorAction(error) === 'pause') showKeyForm();
 */
export type ErrorAction = 'retry' | 'split' | 'pause' | 'gone' | 'refuse';

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
      /**
       * True when the answer was not a WebTics error body (`{"error":{"code":…},
       * "request_id":…}`, or an `X-Request-Id` header) but, say, a proxy's
       * error page: it says nothing about the request, so it counts as a
       * passing failure, and even a 413 drops no event.
       */
      foreign?: boolean;
      cause?: unknown;
    } = {},
  ) {
    super(message, { cause: details.cause });
  }
}

/**
 * Decides by the status code first; the body's `retryable` flag only settles
 * statuses the protocol table does not name. Only a WebTics error body can
 * make the SDK drop events: any other answer (a proxy's page) is retried.
 *
 * @example
 * errorAction(new WebTicsError('busy', 'rate_limited', 429, true)); // 'retry'
 */
export function errorAction(error: WebTicsError): ErrorAction {
  return actionFor(error.status, error.retryable, error.details.foreign !== true);
}

/**
 * The action for a status (undefined: no answer), the body's `retryable`
 * flag, and whether the body was a WebTics error body. 413 splits and 401 or
 * 403 pause whoever answered, as neither drops an event (a single event is
 * dropped only on the server's own 413); any other 4xx without a WebTics body
 * is a passing failure, as in the Godot SDK.
 *
 * @example
 * actionFor(413, false); // 'split'
 * actionFor(404, false, false); // 'retry': a proxy's page, not the server's answer
 */
export function actionFor(
  status: number | undefined,
  flagged: boolean,
  fromWebTics = true,
): ErrorAction {
  if (status === undefined || status === 408 || status === 429 || status >= 500) return 'retry';
  if (status === 413) return 'split';
  if (status === 401 || status === 403) return 'pause';
  if (!fromWebTics) return 'retry';
  if (status === 404) return 'gone';
  return flagged ? 'retry' : 'refuse';
}

/**
 * True when the server promises it did nothing with the request (429, 503),
 * so even a request that creates something may be sent again.
 *
 * @example
 * if (notProcessed(error)) await sendConsentAgain();
 */
export function notProcessed(error: unknown): error is WebTicsError {
  return error instanceof WebTicsError && (error.status === 429 || error.status === 503);
}
