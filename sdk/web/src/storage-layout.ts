// How the queue lies in a QueueStorage. Every SDK instance (a page, a tab, a
// process) owns the keys under its own random id; an index lists the ids so
// that a later instance can find queues whose owner went away:
//
//   <namespace>:instances      ["k3x9…", "p0q2…"]
//   <namespace>:<id>           StoredMeta: heartbeat, released, segment list, session state
//   <namespace>:<id>:<n>       a segment: up to segmentSize queued events, oldest first
//
// Events live in segments so that logging one rewrites one small segment, not
// the whole queue, however long the queue has grown while offline.

import type { QueueStorage } from './queue-storage.js';
import type { WireEvent } from './wire.js';

/**
 * Events per segment.
 *
 * @example
 * const segments = Math.ceil(queue.size / segmentSize);
 */
export const segmentSize = 100;

/**
 * A logged event and the play session it belongs to.
 *
 * @example
 * const queued: QueuedEvent = { playSessionId: 17, event };
 */
export interface QueuedEvent {
  playSessionId: number;
  event: WireEvent;
}

/**
 * A close the server has not confirmed yet: of a play session, with the last
 * sequence number given out, or of a metric session.
 *
 * @example
 * const close: PendingClose = { kind: 'play', id: 17, lastSequence: 240 };
 */
export type PendingClose =
  { kind: 'play'; id: number; lastSequence: number } | { kind: 'session'; id: number };

/**
 * The sessions an instance had open, kept so that a reload or restart can
 * carry on with them, and the closes still to be sent.
 *
 * @example
 * const state: SessionState = { session: { id: 4, uniqueId: 'p-1' }, play: null, lastPlayId: 9, closes: [] };
 */
export interface SessionState {
  session: { id: number; uniqueId: string } | null;
  /** `startedAt`: the wall clock (epoch ms) when the play began. */
  play: { id: number; nextSequence: number; startedAt: number } | null;
  /** The most recent play session, open or closed: the default of completeness(). */
  lastPlayId: number | null;
  /** Sent in this order, each after the queued events of its play. */
  closes: PendingClose[];
}

/**
 * What `<namespace>:<id>` holds.
 *
 * @example
 * const meta = readMeta(storage, 'webtics', id);
 */
export interface StoredMeta {
  v: 1;
  /** A fingerprint of server URL and API key: queues are adopted only by the same. */
  owner: string;
  /** The wall clock (epoch ms) when the owner last showed it was alive. */
  heartbeat: number;
  /** True once the owner has gone for good (page closed, process exiting). */
  released: boolean;
  /** Segment numbers in queue order. */
  segments: number[];
  nextSegment: number;
  state: SessionState;
}

/** @example storage.getItem(indexKey('webtics')); */
export function indexKey(namespace: string): string {
  return `${namespace}:instances`;
}

/** @example storage.getItem(metaKey('webtics', id)); */
export function metaKey(namespace: string, id: string): string {
  return `${namespace}:${id}`;
}

/** @example storage.getItem(segmentKey('webtics', id, 0)); */
export function segmentKey(namespace: string, id: string, segment: number): string {
  return `${namespace}:${id}:${segment}`;
}

/**
 * The ids in the index; an unreadable index counts as empty.
 *
 * @example
 * for (const id of readIndex(storage, 'webtics')) inspect(id);
 */
export function readIndex(storage: QueueStorage, namespace: string): string[] {
  const parsed = parseJson(storage.getItem(indexKey(namespace)));
  return Array.isArray(parsed) ? parsed.filter((id) => typeof id === 'string') : [];
}

/**
 * Adds and removes ids in one read and one write.
 *
 * @example
 * updateIndex(storage, 'webtics', { add: [myId], remove: adoptedIds });
 */
export function updateIndex(
  storage: QueueStorage,
  namespace: string,
  change: { add?: string[]; remove?: string[] },
): void {
  const key = indexKey(namespace);
  const ids = new Set(readIndex(storage, namespace));
  for (const id of change.add ?? []) ids.add(id);
  for (const id of change.remove ?? []) ids.delete(id);

  const text = JSON.stringify([...ids]);
  if (storage.getItem(key) !== text) storage.setItem(key, text);
}

/**
 * The meta record of an instance: undefined when absent, `corrupt` when it
 * cannot be read.
 *
 * @example
 * const meta = readMeta(storage, 'webtics', id);
 * if (meta !== undefined && meta !== 'corrupt') console.log(meta.heartbeat);
 */
export function readMeta(
  storage: QueueStorage,
  namespace: string,
  id: string,
): StoredMeta | 'corrupt' | undefined {
  const text = storage.getItem(metaKey(namespace, id));
  if (text === null) return undefined;
  const meta = parseJson(text) as Partial<StoredMeta> | undefined;
  return isMeta(meta) ? meta : 'corrupt';
}

/**
 * The well-formed closes of a stored state; a state written before closes
 * were queued has none.
 *
 * @example
 * const closes = readCloses(meta.state);
 */
export function readCloses(state: Partial<SessionState>): PendingClose[] {
  const closes: unknown = state.closes;
  return Array.isArray(closes) ? closes.filter(isPendingClose) : [];
}

/**
 * The events of one segment: an empty list when absent, `corrupt` when unreadable.
 *
 * @example
 * const events = readSegment(storage, 'webtics', id, 0);
 */
export function readSegment(
  storage: QueueStorage,
  namespace: string,
  id: string,
  segment: number,
): QueuedEvent[] | 'corrupt' {
  const text = storage.getItem(segmentKey(namespace, id, segment));
  if (text === null) return [];
  const parsed = parseJson(text);
  return Array.isArray(parsed) && parsed.every(isQueuedEvent) ? parsed : 'corrupt';
}

function isMeta(meta: Partial<StoredMeta> | undefined): meta is StoredMeta {
  return (
    meta?.v === 1 &&
    typeof meta.owner === 'string' &&
    typeof meta.heartbeat === 'number' &&
    Array.isArray(meta.segments) &&
    typeof meta.nextSegment === 'number' &&
    typeof meta.state === 'object' &&
    meta.state !== null
  );
}

function isQueuedEvent(value: unknown): value is QueuedEvent {
  const item = value as Partial<QueuedEvent> | null;
  return (
    typeof item?.playSessionId === 'number' &&
    typeof item.event === 'object' &&
    item.event !== null &&
    typeof item.event.client_event_id === 'string'
  );
}

function isPendingClose(value: unknown): value is PendingClose {
  const close = value as Partial<{ kind: string; id: number; lastSequence: number }> | null;
  if (typeof close?.id !== 'number') return false;
  if (close.kind === 'session') return true;
  return close.kind === 'play' && typeof close.lastSequence === 'number';
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
