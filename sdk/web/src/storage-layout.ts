// How the queue lies in a QueueStorage. Every SDK instance (a page, a tab, a
// process) owns the keys under its own random id:
//
//   <namespace>:instances      ["k3x9…", "p0q2…"]
//   <namespace>:<id>           StoredMeta: heartbeat, released, segment list, session state
//   <namespace>:<id>:<n>       a segment: up to segmentSize queued events, oldest first
//
// Events live in segments so that logging one rewrites one small segment, not
// the whole queue, however long the queue has grown while offline.
//
// A later instance finds the queues whose owner went away by their meta
// records, listing the storage's keys. The index is only a hint: each
// instance adds itself by reading and writing it, without a lock, so two
// that start together can lose one entry (in Chromium another tab's write
// may arrive later still). It stays for storages that cannot list their
// keys, and for older SDK versions that read only the index.

import { storageKeys, type QueueStorage } from './queue-storage.js';
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
 * The ids of every queue in the namespace: those in the index, then those
 * whose meta record a listing of the storage's keys finds. A storage that
 * cannot list its keys gives the index alone.
 *
 * @example
 * for (const id of listInstances(localStorage, 'webtics')) inspect(id);
 */
export function listInstances(storage: QueueStorage, namespace: string): string[] {
  const ids = new Set(readIndex(storage, namespace));
  for (const key of storageKeys(storage) ?? []) {
    const id = instanceOfMetaKey(namespace, key);
    if (id !== undefined) ids.add(id);
  }
  return [...ids];
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
 * A meta record as read back, with `repaired` true when parts of it were
 * unreadable and were left out (a session or play that cannot be continued,
 * a close, a segment number).
 *
 * @example
 * const meta = readMeta(storage, 'webtics', id);
 * if (meta !== undefined && meta !== 'corrupt' && meta.repaired) reportDamage();
 */
export type ReadMeta = StoredMeta & { repaired: boolean };

/**
 * The meta record of an instance: undefined when absent, `corrupt` when it
 * cannot be read at all. Every number in it is checked to be an integer in
 * its range, so that a damaged record cannot poison sequence numbers or
 * segment names; parts that fail are left out and `repaired` is set.
 *
 * @example
 * const meta = readMeta(storage, 'webtics', id);
 * if (meta !== undefined && meta !== 'corrupt') console.log(meta.heartbeat);
 */
export function readMeta(
  storage: QueueStorage,
  namespace: string,
  id: string,
): ReadMeta | 'corrupt' | undefined {
  const text = storage.getItem(metaKey(namespace, id));
  if (text === null) return undefined;
  const meta = parseJson(text) as Partial<Record<keyof StoredMeta, unknown>> | undefined;
  if (
    meta?.v !== 1 ||
    typeof meta.owner !== 'string' ||
    !Number.isFinite(meta.heartbeat) ||
    !Array.isArray(meta.segments) ||
    !isObject(meta.state)
  ) {
    return 'corrupt';
  }

  const segments = [...new Set(meta.segments.filter((name) => isInteger(name, 0)))];
  const highest = Math.max(-1, ...segments);
  const nextSegment = isInteger(meta.nextSegment, 0) ? meta.nextSegment : 0;
  const { state, repaired } = readState(meta.state);
  return {
    v: 1,
    owner: meta.owner,
    heartbeat: meta.heartbeat as number,
    released: meta.released === true,
    segments,
    // Never below a stored segment: a new one would overwrite it.
    nextSegment: Math.max(nextSegment, highest + 1),
    state,
    repaired: repaired || segments.length !== meta.segments.length || nextSegment <= highest,
  };
}

/**
 * The events of one segment that are well formed (`dropped` counts the
 * others), or `corrupt` when it is not a list at all. Absent, it is empty.
 *
 * @example
 * const read = readSegment(storage, 'webtics', id, 0);
 * if (read !== 'corrupt') queue.push(...read.events);
 */
export function readSegment(
  storage: QueueStorage,
  namespace: string,
  id: string,
  segment: number,
): { events: QueuedEvent[]; dropped: number } | 'corrupt' {
  const text = storage.getItem(segmentKey(namespace, id, segment));
  if (text === null) return { events: [], dropped: 0 };
  const parsed = parseJson(text);
  if (!Array.isArray(parsed)) return 'corrupt';
  const events = parsed.filter(isQueuedEvent);
  return { events, dropped: parsed.length - events.length };
}

/**
 * The highest sequence number an event may carry.
 *
 * @example
 * if (play.nextSequence > maxSequence) throw new RangeError('start a new play');
 */
export const maxSequence = 2_147_483_647;

// Neither a namespace nor an id holds `:`, so `<namespace>:<id>` is a meta
// record exactly when the rest after the prefix has none; `instances` is the index.
function instanceOfMetaKey(namespace: string, key: string): string | undefined {
  const prefix = `${namespace}:`;
  if (!key.startsWith(prefix)) return undefined;
  const id = key.slice(prefix.length);
  return id === '' || id.includes(':') || id === 'instances' ? undefined : id;
}

// Each part of a stored state on its own: a damaged play costs the play, not
// the session or the queued closes. A state written before closes were
// queued has none, and that is no damage.
function readState(raw: Record<string, unknown>): { state: SessionState; repaired: boolean } {
  const session = raw.session ?? null;
  const play = raw.play ?? null;
  const lastPlayId = raw.lastPlayId ?? null;
  const closes = raw.closes ?? [];
  const goodCloses = Array.isArray(closes) ? closes.filter(isPendingClose) : [];
  const state: SessionState = {
    session: isSession(session) ? session : null,
    play: isPlay(play) ? play : null,
    lastPlayId: isInteger(lastPlayId, 1) ? lastPlayId : null,
    closes: goodCloses,
  };
  const repaired =
    (session !== null && state.session === null) ||
    (play !== null && state.play === null) ||
    (lastPlayId !== null && state.lastPlayId === null) ||
    !Array.isArray(closes) ||
    goodCloses.length !== closes.length;
  return { state, repaired };
}

function isSession(value: unknown): value is NonNullable<SessionState['session']> {
  return isObject(value) && isInteger(value.id, 1) && typeof value.uniqueId === 'string';
}

function isPlay(value: unknown): value is NonNullable<SessionState['play']> {
  return (
    isObject(value) &&
    isInteger(value.id, 1) &&
    isInteger(value.nextSequence, 1, maxSequence + 1) &&
    Number.isFinite(value.startedAt)
  );
}

function isQueuedEvent(value: unknown): value is QueuedEvent {
  if (!isObject(value) || !isInteger(value.playSessionId, 1)) return false;
  const event = value.event;
  return (
    isObject(event) &&
    typeof event.client_event_id === 'string' &&
    isInteger(event.event_type, 0, 999) &&
    isInteger(event.sequence, 1, maxSequence) &&
    typeof event.timestamp === 'string' &&
    Number.isFinite(event.monotonic_ms)
  );
}

function isPendingClose(value: unknown): value is PendingClose {
  if (!isObject(value) || !isInteger(value.id, 1)) return false;
  if (value.kind === 'session') return true;
  return value.kind === 'play' && isInteger(value.lastSequence, 0, maxSequence);
}

function isInteger(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string | null): unknown {
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
