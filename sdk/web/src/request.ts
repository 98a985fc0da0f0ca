import type { ErrorBody } from './wire.js';
import { WebTicsError } from './webtics-error.js';

/** Where and how to reach the server. */
export interface Endpoint {
  url: string;
  apiKey: string;
  fetch: typeof fetch;
}

/**
 * POSTs a JSON body to the server and returns the parsed JSON answer.
 * Any failure becomes a {@link WebTicsError} that says whether a retry may help.
 *
 * @example
 * const session = await postJson<Session>(endpoint, '/api/v1/sessions', body);
 */
export async function postJson<T>(endpoint: Endpoint, path: string, body?: unknown): Promise<T> {
  const response = await send(endpoint, path, body);

  if (!response.ok) throw await toError(response);

  return (await response.json()) as T;
}

async function send(endpoint: Endpoint, path: string, body: unknown): Promise<Response> {
  const url = endpoint.url.replace(/\/+$/, '') + path;
  const headers = { 'X-API-Key': endpoint.apiKey, 'Content-Type': 'application/json' };
  try {
    return await endpoint.fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body ?? {}),
    });
  } catch (cause) {
    throw new WebTicsError('The server could not be reached', 'network_error', undefined, true, {
      cause,
    });
  }
}

async function toError(response: Response): Promise<WebTicsError> {
  const body = await readErrorBody(response);
  const status = response.status;
  const retryable = status === 408 || status === 429 || status >= 500;
  const retryAfterMs = parseRetryAfter(response.headers.get('Retry-After'));

  return new WebTicsError(
    body?.error.message ?? `The server answered ${status}`,
    body?.error.code ?? 'http_error',
    status,
    retryable,
    { field: body?.error.field, rule: body?.error.rule, requestId: body?.request_id, retryAfterMs },
  );
}

async function readErrorBody(response: Response): Promise<ErrorBody | undefined> {
  try {
    const body = (await response.json()) as Partial<ErrorBody> | null;
    return body?.error ? (body as ErrorBody) : undefined;
  } catch {
    return undefined;
  }
}

function parseRetryAfter(header: string | null): number | undefined {
  if (header === null) return undefined;

  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;

  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
