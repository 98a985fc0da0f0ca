import type { WireEvent } from '../../../../sdk/web/src/wire.js';

/** A request as the fake server saw it. */
export interface SeenRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/events/batch?play_session_id=7`. */
  path: string;
  /** Header names in lower case. */
  headers: Record<string, string>;
  body: unknown;
  keepalive: boolean;
}

/**
 * An answer to give instead of the default one: a JSON reply, a reply with a
 * raw `text` body (a proxy's page), or a cut connection.
 */
export type Answer =
  | { status: number; headers?: Record<string, string>; body?: unknown; text?: string }
  | 'network_error';

/**
 * A stand-in for the WebTics server, reached through `fetch`: it opens
 * sessions and play sessions, stores batches by client event id (a resend is
 * a duplicate), and can be told to answer the next requests otherwise. Only
 * what is outside the SDK is faked.
 */
export class FakeServer {
  readonly requests: SeenRequest[] = [];
  /** Stored events by client event id. */
  readonly stored = new Map<string, WireEvent & { play_session_id: number }>();
  /** Events the default batch answer refuses, and why. */
  rejectWhen: (event: WireEvent) => { field: string; rule: string } | undefined = () => undefined;
  /**
   * Events for which the whole batch is refused with a 400 before any event
   * is judged, as the server does for a NUL character in a string; the
   * field is the path from the body, `[index].field`.
   */
  refuseWholeWhen: (event: WireEvent) => { field: string; rule: string } | undefined = () =>
    undefined;
  inFlight = 0;
  maxInFlight = 0;
  private readonly planned: { match: (request: SeenRequest) => boolean; answer: Answer }[] = [];
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private nextId = 40;

  /** Answers the next requests whose path contains `pathPart` with these, in order. */
  answerNext(pathPart: string, ...answers: Answer[]): void {
    for (const answer of answers) {
      this.planned.push({ match: (request) => request.path.includes(pathPart), answer });
    }
  }

  /** Holds every answer until `release()`. */
  hold(): void {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
  }

  /** The bodies of all batch requests, in order. */
  get batches(): WireEvent[][] {
    return this.requests
      .filter((request) => request.path.startsWith('/api/v1/events/batch'))
      .map((request) => request.body as WireEvent[]);
  }

  readonly fetch = async (
    input: string | URL | Request,
    init: RequestInit = {},
  ): Promise<Response> => {
    const request = toSeen(input, init);
    this.requests.push(request);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate) await this.gate;
      return this.respond(request);
    } finally {
      this.inFlight--;
    }
  };

  private respond(request: SeenRequest): Response {
    const index = this.planned.findIndex((plan) => plan.match(request));
    if (index >= 0) {
      const [plan] = this.planned.splice(index, 1);
      const answer = plan!.answer;
      if (answer === 'network_error') throw new TypeError('fetch failed');
      if (answer.text !== undefined) {
        return new Response(answer.text, { status: answer.status, headers: answer.headers });
      }
      return reply(answer.status, answer.body, answer.headers);
    }
    return this.defaultAnswer(request);
  }

  private defaultAnswer(request: SeenRequest): Response {
    const { method, path } = request;
    if (path === '/api/v1/sessions') return reply(201, this.session(request.body));
    if (path === '/api/v1/play-sessions') return reply(201, this.play(request.body));
    if (path.startsWith('/api/v1/events/batch')) {
      const refusal = this.wholeRefusal(request.body as WireEvent[]);
      if (refusal) return reply(400, errorBody('invalid_field', false, refusal));
      return reply(200, this.storeBatch(request));
    }
    if (method === 'POST' && path.endsWith('/close')) return reply(200, { id: idIn(path) });
    if (path.endsWith('/completeness')) return reply(200, { play_session_id: idIn(path) });
    return reply(404, errorBody('not_found', false));
  }

  private session(body: unknown) {
    const { unique_id, build_number } = body as { unique_id: string; build_number: string };
    return { id: ++this.nextId, unique_id, build_number, study_id: 'study', closed_at: null };
  }

  private play(body: unknown) {
    const { metric_session_id } = body as { metric_session_id: number };
    return { id: ++this.nextId, metric_session_id, started_at: new Date().toISOString() };
  }

  private wholeRefusal(events: WireEvent[]) {
    for (const [index, event] of events.entries()) {
      const issue = this.refuseWholeWhen(event);
      if (issue) return { field: `[${index}].${issue.field}`, rule: issue.rule };
    }
    return undefined;
  }

  private storeBatch(request: SeenRequest) {
    const playSessionId = Number(
      new URL(request.path, 'http://x').searchParams.get('play_session_id'),
    );
    let stored = 0;
    let duplicates = 0;
    const rejected: { index: number; field: string; rule: string; message: string }[] = [];
    (request.body as WireEvent[]).forEach((event, index) => {
      const issue = this.rejectWhen(event);
      if (issue) rejected.push({ index, ...issue, message: `${issue.field} breaks ${issue.rule}` });
      else if (this.stored.has(event.client_event_id)) duplicates++;
      else {
        this.stored.set(event.client_event_id, { ...event, play_session_id: playSessionId });
        stored++;
      }
    });
    return { stored, duplicates, rejected };
  }
}

/** A JSON answer, as the server gives it. */
export function reply(status: number, body?: unknown, headers: Record<string, string> = {}) {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** An error body as the server gives it. */
export function errorBody(code: string, retryable: boolean, extra: object = {}) {
  return { error: { code, message: `${code} happened`, retryable, ...extra }, request_id: 'r-1' };
}

export function toSeen(input: string | URL | Request, init: RequestInit): SeenRequest {
  const url = new URL(input instanceof Request ? input.url : input);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    headers[name.toLowerCase()] = String(value);
  }
  const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
  return {
    method: init.method ?? 'GET',
    path: url.pathname + url.search,
    headers,
    body,
    keepalive: init.keepalive === true,
  };
}

function idIn(path: string): number {
  return Number(/\/(\d+)\//.exec(path)?.[1]);
}
