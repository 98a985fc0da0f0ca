import type { Clock } from './clock.js';
import { withRetry, type RetryPolicy } from './retry.js';
import type { QueuedEvent } from './storage-layout.js';
import type { StoredQueue } from './stored-queue.js';
import type { Transport } from './transport.js';
import { errorAction, WebTicsError } from './webtics-error.js';
import type { BatchResult, WireEvent } from './wire.js';

/**
 * An event the server will never accept, and why. `rule` is the server's
 * rule (`required`, `range` …), or `not_found` when its play session is gone,
 * or `too_large` when it alone is more than the server takes.
 *
 * @example
 * const client = new WebTics({ ...options, onRejected: (events) => events.forEach(logRejection) });
 * function logRejection(r: RejectedEvent) { console.warn(r.event.sequence, r.field, r.rule, r.message); }
 */
export interface RejectedEvent {
  event: WireEvent;
  playSessionId: number;
  field?: string;
  rule: string;
  message: string;
}

/**
 * Browsers let requests with `keepalive` outlive the page only while their
 * bodies in flight total at most 64 KB; this counts what is in flight.
 *
 * @example
 * const budget: KeepaliveBudget = { limitBytes: 60_000, inFlightBytes: 0 };
 */
export interface KeepaliveBudget {
  limitBytes: number;
  inFlightBytes: number;
}

/**
 * What a delivery works with.
 *
 * @example
 * await deliverBatch({ transport, queue, policy, clock, keepalive: undefined, signal, reportRejected, reportError, pause }, batch);
 */
export interface DeliveryContext {
  transport: Transport;
  queue: StoredQueue;
  policy: RetryPolicy;
  clock: Clock;
  /** Set while the page is being hidden: small requests then use keepalive. */
  keepalive: KeepaliveBudget | undefined;
  /** Aborts waits and requests when the SDK must stop (process exit, close()). */
  signal: AbortSignal;
  reportRejected: (rejections: RejectedEvent[]) => void;
  /** Told of a queued close the server refused for good; it is dropped. */
  reportError: (error: unknown) => void;
  /** Stops all sending until the key is fixed (401, 403). */
  pause: (error: WebTicsError) => void;
}

/**
 * Sends one batch (events of one play session) and settles it by the table in
 * docs/sdk-protocol.md: stored or refused events leave the queue; on 413, and
 * on a 400 that refuses a batch of several whole, the halves go separately;
 * a single event is dropped on the server's own 413, kept on a proxy's; on
 * 404 the play session's events are dropped; on 401 and 403 sending pauses.
 * Throws when the events must wait for a later flush (attempts used up, a
 * proxy's 413 on one event, or a pause); they stay queued.
 *
 * @example
 * await deliverBatch(context, queue.nextBatch(50, upToOrder));
 */
export async function deliverBatch(context: DeliveryContext, batch: QueuedEvent[]): Promise<void> {
  const body = batch.map((queued) => queued.event);
  const keepalive = fitsKeepalive(context.keepalive, body);
  if (keepalive === 'split' && batch.length > 1) return deliverHalves(context, batch);

  try {
    const result = await withRetry(
      () => postBatch(context, batch[0]!.playSessionId, body, keepalive === 'yes'),
      context.policy,
      context.clock,
      { signal: context.signal },
    );
    settle(context, batch, result);
  } catch (error) {
    if (!(error instanceof WebTicsError)) throw error;
    await handleFailure(context, batch, error);
  }
}

async function handleFailure(
  context: DeliveryContext,
  batch: QueuedEvent[],
  error: WebTicsError,
): Promise<void> {
  switch (errorAction(error)) {
    case 'split':
      if (batch.length > 1) return deliverHalves(context, batch);
      // A proxy's size limit may be lower than the server's, or lifted later:
      // only the server's own 413 says the event can never be stored.
      if (error.details.foreign) throw error;
      return refuse(context, batch, { rule: 'too_large', message: error.message });
    case 'gone':
      return refuse(context, context.queue.removePlay(batch[0]!.playSessionId), {
        field: 'play_session_id',
        rule: 'not_found',
        message: error.message,
      });
    case 'refuse':
      if (batch.length > 1 && mayBeOneEvent(error)) return deliverHalves(context, batch);
      return refuse(context, batch, {
        field: fieldWithin(batch, error.details.field),
        rule: error.details.rule ?? error.code,
        message: error.message,
      });
    case 'pause':
      context.pause(error);
      throw error;
    case 'retry':
      throw error;
  }
}

// A 400 refuses the whole request for what one event holds (a NUL in its
// data, say) before any event is judged: the halves go separately, until the
// culprit is alone and only it is dropped. Naming the header or the query,
// it is about every event alike, and halves would fare no better.
function mayBeOneEvent(error: WebTicsError): boolean {
  const field = error.details.field?.toLowerCase();
  return error.status === 400 && field !== 'x-client-sent-at' && field !== 'play_session_id';
}

// A batch of one refused whole names the path from the body, `[0].data.note`:
// reported within the event, as `rejected` names it, that is `data.note`.
function fieldWithin(batch: QueuedEvent[], field: string | undefined): string | undefined {
  if (batch.length !== 1 || field === undefined) return field;
  const within = /^\[0\]\.?(.*)$/.exec(field);
  return within ? within[1] || undefined : field;
}

async function deliverHalves(context: DeliveryContext, batch: QueuedEvent[]): Promise<void> {
  const middle = Math.ceil(batch.length / 2);
  await deliverBatch(context, batch.slice(0, middle));
  await deliverBatch(context, batch.slice(middle));
}

async function postBatch(
  context: DeliveryContext,
  playSessionId: number,
  events: WireEvent[],
  keepalive: boolean,
): Promise<BatchResult> {
  const bytes = keepalive ? byteLength(events) : 0;
  const budget = context.keepalive;
  if (budget) budget.inFlightBytes += bytes;
  try {
    const path = `/api/v1/events/batch?play_session_id=${playSessionId}`;
    const options = { sentAt: true, keepalive, signal: context.signal };
    const result = await context.transport.request<unknown>('POST', path, events, options);
    if (isBatchResult(result)) return result;
    // A 2xx with some other JSON (a captive portal, a proxy): nothing says the
    // events were stored, so they are sent again.
    throw new WebTicsError('The answer was not a batch result', 'bad_answer', undefined, true, {
      foreign: true,
    });
  } finally {
    if (budget) budget.inFlightBytes -= bytes;
  }
}

function isBatchResult(value: unknown): value is BatchResult {
  const result = value as Partial<BatchResult> | null;
  return typeof result?.stored === 'number' && Array.isArray(result.rejected);
}

// Every event of the batch leaves the queue: stored, known already, or refused.
function settle(context: DeliveryContext, batch: QueuedEvent[], result: BatchResult): void {
  const rejections: RejectedEvent[] = [];
  for (const { index, field, rule, message } of result.rejected) {
    const queued = batch[index];
    if (queued) rejections.push({ ...queued, field, rule, message });
  }
  context.queue.remove(new Set(batch.map((queued) => queued.event.client_event_id)));
  if (rejections.length > 0) context.reportRejected(rejections);
}

function refuse(
  context: DeliveryContext,
  batch: QueuedEvent[],
  reason: { field?: string; rule: string; message: string },
): void {
  context.queue.remove(new Set(batch.map((queued) => queued.event.client_event_id)));
  if (batch.length > 0) context.reportRejected(batch.map((queued) => ({ ...queued, ...reason })));
}

function fitsKeepalive(
  budget: KeepaliveBudget | undefined,
  events: WireEvent[],
): 'yes' | 'no' | 'split' {
  if (budget === undefined) return 'no';
  const free = budget.limitBytes - budget.inFlightBytes;
  if (byteLength(events) <= free) return 'yes';
  return events.length > 1 ? 'split' : 'no';
}

function byteLength(events: WireEvent[]): number {
  return new TextEncoder().encode(JSON.stringify(events)).length;
}
