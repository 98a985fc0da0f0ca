import type { DeliveryContext } from './deliver-batch.js';
import { withRetry } from './retry.js';
import type { PendingClose } from './storage-layout.js';
import { errorAction, WebTicsError } from './webtics-error.js';

/**
 * Sends the queued closes in order, each once the events of its play have
 * left the queue. Closing twice is harmless on the server, so a close whose
 * answer was lost is simply sent again. A close the server cannot act on
 * (the session is gone, another lasting 4xx) is dropped and reported; one
 * that may succeed later stays queued, and this throws, as a batch would.
 *
 * @example
 * await drainEvents();
 * await deliverCloses(context);
 */
export async function deliverCloses(context: DeliveryContext): Promise<void> {
  const { queue, signal } = context;
  for (;;) {
    const close = queue.state.closes[0];
    if (close === undefined) return;
    // Newer than the flush: they and the close go round with the next one.
    if (close.kind === 'play' && queue.hasEventsOf(close.id)) return;
    if (signal.aborted) throw signal.reason;

    await deliverClose(context, close);
    queue.state.closes = queue.state.closes.filter((queued) => queued !== close);
    queue.saveState();
  }
}

async function deliverClose(context: DeliveryContext, close: PendingClose): Promise<void> {
  try {
    await withRetry(() => postClose(context, close), context.policy, context.clock, {
      signal: context.signal,
    });
  } catch (error) {
    if (!(error instanceof WebTicsError)) throw error;
    const action = errorAction(error);
    if (action === 'pause') context.pause(error);
    // A close is never too large: a proxy's 413 is a passing failure.
    const passing = action === 'retry' || (action === 'split' && error.details.foreign === true);
    if (action === 'pause' || passing) throw error;
    context.reportError(error);
  }
}

function postClose(context: DeliveryContext, close: PendingClose): Promise<unknown> {
  const options = { keepalive: context.keepalive !== undefined, signal: context.signal };
  const { transport } = context;
  if (close.kind === 'session') {
    return transport.request('POST', `/api/v1/sessions/${close.id}/close`, undefined, options);
  }
  const path = `/api/v1/play-sessions/${close.id}/close`;
  return transport.request('POST', path, { last_sequence: close.lastSequence }, options);
}
