/**
 * The WebTics web SDK: send a game's sessions and events to a WebTics server
 * from a browser or from Node 20, exactly once and in order. No run-time
 * dependencies. Node programs that want events to survive a restart add a
 * file storage from `@webtics/sdk/node`.
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
export { WebTics } from './client.js';
export type { LockManagerLike } from './adoption.js';
export { systemClock, type Clock } from './clock.js';
export type { RejectedEvent } from './deliver-batch.js';
export {
  EventType,
  magnitudeRanges,
  type CatalogueEventType,
  type LogArguments,
  type LogFields,
  type MagnitudeEventType,
} from './event-types.js';
export type { DroppedEvent, WebTicsOptions } from './options.js';
export { defaultStorage, MemoryStorage, type QueueStorage } from './queue-storage.js';
export type { ConsentRequest } from './research.js';
export { defaultRetryPolicy, retryDelay, type RetryPolicy } from './retry.js';
export { errorAction, WebTicsError, type ErrorAction } from './webtics-error.js';
export type {
  BatchResult,
  Completeness,
  ConsentReceipt,
  DeletionReceipt,
  ParticipantData,
  PlaySession,
  Session,
  WireEvent,
  WireRejection,
} from './wire.js';
