import type { Clock } from './clock.js';
import { actionFor, WebTicsError } from './webtics-error.js';
import type { ErrorBody } from './wire.js';

/**
 * Where the server is and how to reach it.
 *
 * @example
 * const options: TransportOptions = { url, apiKey, fetch, clock: systemClock, timeoutMs: 30_000 };
 */
export interface TransportOptions {
  url: string;
  apiKey: string;
  fetch: typeof fetch;
  clock: Clock;
  /** An attempt that has no answer after this long is cut and counts as a network failure. */
  timeoutMs: number;
}

/**
 * How one request is sent.
 *
 * @example
 * await transport.request('POST', path, events, { sentAt: true, keepalive: true });
 */
export interface RequestOptions {
  /** Adds `X-Client-Sent-At` with the wall clock of this attempt. */
  sentAt?: boolean;
  /** Lets the request outlive the page (`fetch` keepalive; bodies up to 64 KB). */
  keepalive?: boolean;
  /** Sends the API key; the participant routes need none. Default true. */
  auth?: boolean;
  /** Cuts the request short, e.g. when the process must exit. */
  signal?: AbortSignal;
}

/**
 * One HTTP request at a time to the WebTics server, answered as parsed JSON.
 * Any failure becomes a {@link WebTicsError} that says whether a retry may help.
 *
 * @example
 * const transport = new Transport({ url, apiKey, fetch, clock: systemClock, timeoutMs: 30_000 });
 * const session = await transport.request<Session>('POST', '/api/v1/sessions', body);
 */
export class Transport {
  constructor(private readonly options: TransportOptions) {}

  /** Replaces the API key, e.g. after a 401. */
  set apiKey(key: string) {
    this.options.apiKey = key;
  }

  /**
   * Sends one attempt; retrying is the caller's business.
   *
   * @example
   * await transport.request('POST', '/api/v1/events/batch?play_session_id=7', events, { sentAt: true });
   */
  async request<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<T> {
    const { clock, timeoutMs } = this.options;
    const abort = new AbortController();
    const stop = () => abort.abort();
    const cancelTimer = clock.setTimer(stop, timeoutMs);
    options.signal?.addEventListener('abort', stop);
    if (options.signal?.aborted) stop();
    try {
      const response = await this.send(method, path, body, options, abort.signal);
      if (!response.ok) throw await toError(response, clock);

      return (await unlessCut(response.json())) as T;
    } finally {
      cancelTimer();
      options.signal?.removeEventListener('abort', stop);
    }
  }

  private send(
    method: string,
    path: string,
    body: unknown,
    options: RequestOptions,
    signal: AbortSignal,
  ): Promise<Response> {
    const { url, fetch } = this.options;
    return unlessCut(
      fetch(url.replace(/\/+$/, '') + path, {
        method,
        headers: this.headers(method, options),
        body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
        keepalive: options.keepalive === true,
        signal,
      }),
    );
  }

  private headers(method: string, options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = {};
    if (options.auth !== false) headers['X-API-Key'] = this.options.apiKey;
    if (method !== 'GET') headers['Content-Type'] = 'application/json';
    if (options.sentAt) headers['X-Client-Sent-At'] = this.options.clock.now().toISOString();
    return headers;
  }
}

// A failure before a whole answer arrived: the request may or may not have
// reached the server, so only an idempotent resend is safe.
async function unlessCut<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (cause) {
    throw new WebTicsError('The server could not be reached', 'network_error', undefined, true, {
      cause,
    });
  }
}

// An answer without a WebTics error body (a proxy's page while the server is
// redeployed, a captive portal, a gateway's own JSON) is `foreign`: it says
// nothing about the request, so it never makes the SDK drop events.
async function toError(response: Response, clock: Clock): Promise<WebTicsError> {
  const body = await readErrorBody(response);
  const status = response.status;
  const flagged = body?.error.retryable === true;
  const retryAfterMs = parseRetryAfter(response.headers.get('Retry-After'), clock);
  const foreign = body === undefined;

  return new WebTicsError(
    body?.error.message ?? `The server answered ${status}`,
    body?.error.code ?? 'http_error',
    status,
    actionFor(status, flagged, !foreign) === 'retry',
    {
      field: body?.error.field,
      rule: body?.error.rule,
      requestId: requestIdOf(body, response),
      retryAfterMs,
      ...(foreign && { foreign }),
    },
  );
}

// The server's own error body has a string `error.code` and comes with a
// request id: `request_id` in the body, always readable, or the
// `X-Request-Id` header, which a browser shows cross-origin only because the
// server exposes it. Other JSON with `error.code` (an S3 gateway's
// `NoSuchKey`, say) has neither, and is not the server's word.
async function readErrorBody(response: Response): Promise<ErrorBody | undefined> {
  try {
    const body = (await response.json()) as Partial<ErrorBody> | null;
    const hasCode = typeof body?.error === 'object' && typeof body.error?.code === 'string';
    const hasId = requestIdOf(body, response) !== undefined;
    return hasCode && hasId ? (body as ErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

function requestIdOf(
  body: Partial<ErrorBody> | null | undefined,
  response: Response,
): string | undefined {
  if (typeof body?.request_id === 'string') return body.request_id;
  return response.headers.get('X-Request-Id') ?? undefined;
}

function parseRetryAfter(header: string | null, clock: Clock): number | undefined {
  if (header === null || header.trim() === '') return undefined;

  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;

  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - clock.now().getTime());
}
