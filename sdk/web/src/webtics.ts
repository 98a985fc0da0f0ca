/**
 * The WebTics web SDK: send a game's sessions and events to a WebTics server
 * from a browser or from Node 20. No run-time dependencies.
 *
 * @example
 * import { EventType, WebTics } from '/sdk/webtics.js';
 *
 * const client = new WebTics({ url: location.origin, apiKey, buildNumber: '1.0.0' });
 * await client.startSession('player-4f2a9c');
 * await client.startPlay();
 * client.log(EventType.TASK_START);
 * await client.endSession();
 */
export { WebTics, type LogFields, type WebTicsOptions } from './client.js';
export { EventType, type CatalogueEventType } from './event-types.js';
export type { RejectedEvent } from './event-queue.js';
export { defaultRetryPolicy, type RetryPolicy } from './retry.js';
export { WebTicsError } from './webtics-error.js';
export type { BatchResult, PlaySession, Session, WireEvent, WireRejection } from './wire.js';
