import type { QueueStorage } from './queue-storage.js';
import {
  listInstances,
  metaKey,
  readMeta,
  readSegment,
  segmentKey,
  updateIndex,
  type QueuedEvent,
  type StoredMeta,
} from './storage-layout.js';
import type { StoredQueue } from './stored-queue.js';

/**
 * The part of the Web Locks API (`navigator.locks`) the SDK uses.
 *
 * @example
 * const locks: LockManagerLike | undefined = globalThis.navigator?.locks;
 */
export interface LockManagerLike {
  request<T>(name: string, callback: () => T | Promise<T>): Promise<T>;
}

/**
 * What the adopter needs to know.
 *
 * @example
 * const options: AdoptionOptions = { storage, namespace: 'webtics', instanceId, owner, staleAfterMs: 300_000, now: Date.now() };
 */
export interface AdoptionOptions {
  storage: QueueStorage;
  namespace: string;
  /** The adopter's id: its own queue is never adopted. */
  instanceId: string;
  /**
   * Only queues of the same server and key are adopted: only they can be
   * sent. The fingerprint `ownerOf(url, apiKey)` (identity.ts), as queues store it.
   */
  owner: string;
  /** A queue whose heartbeat is older than this is abandoned. */
  staleAfterMs: number;
  /** The wall clock now, in epoch ms. */
  now: number;
}

/**
 * Moves into `queue` the events and unsent closes of every instance that
 * released its queue or stopped beating, then deletes that instance's keys.
 * Queues are found by listing the storage's keys (and through the index,
 * which is all a storage without a listing offers; see listInstances).
 * Ours are written before theirs are deleted, so a crash in between leaves
 * events twice, never none. Returns how many events and closes were adopted.
 *
 * @example
 * const adopted = adoptAbandoned(queue, { storage, namespace, instanceId, owner, staleAfterMs, now });
 */
export function adoptAbandoned(queue: StoredQueue, options: AdoptionOptions): number {
  const { storage, namespace, instanceId } = options;
  const finished: string[] = [];
  let adopted = 0;
  for (const id of listInstances(storage, namespace)) {
    if (id === instanceId) continue;
    const meta = readMeta(storage, namespace, id);
    if (meta === undefined || meta === 'corrupt') {
      finished.push(id);
      continue;
    }
    if (!isAbandoned(meta, options)) continue;

    const events = readEvents(storage, namespace, id, meta);
    const closes = meta.state.closes;
    const stored = queue.prepend(events, closes);
    deleteQueue(storage, namespace, id, meta);
    // A full storage refuses our copy until theirs is gone: write it again now.
    if (!stored) queue.rewrite();
    finished.push(id);
    adopted += events.length + closes.length;
  }
  if (finished.length > 0) updateIndex(storage, namespace, { remove: finished });
  return adopted;
}

/**
 * Runs `task` holding the named Web Lock when the platform has Web Locks, so
 * that two tabs starting together do not adopt the same queue; else runs it
 * directly.
 *
 * @example
 * await underLock(navigator.locks, 'webtics:adopt', () => adoptAbandoned(queue, options));
 */
export async function underLock<T>(
  locks: LockManagerLike | undefined,
  name: string,
  task: () => T,
): Promise<T> {
  if (locks === undefined) return task();
  return locks.request(name, task);
}

function isAbandoned(meta: StoredMeta, options: AdoptionOptions): boolean {
  if (meta.owner !== options.owner) return false;
  return meta.released || options.now - meta.heartbeat > options.staleAfterMs;
}

// A segment that cannot be read is skipped: the rest still count.
function readEvents(
  storage: QueueStorage,
  namespace: string,
  id: string,
  meta: StoredMeta,
): QueuedEvent[] {
  return meta.segments.flatMap((segment) => {
    const read = readSegment(storage, namespace, id, segment);
    return read === 'corrupt' ? [] : read.events;
  });
}

function deleteQueue(storage: QueueStorage, namespace: string, id: string, meta: StoredMeta): void {
  for (const segment of meta.segments) storage.removeItem(segmentKey(namespace, id, segment));
  storage.removeItem(metaKey(namespace, id));
}
