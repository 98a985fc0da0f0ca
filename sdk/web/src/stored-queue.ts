import type { Clock } from './clock.js';
import { newInstanceId } from './identity.js';
import type { QueueStorage } from './queue-storage.js';
import {
  metaKey,
  readMeta,
  readSegment,
  segmentKey,
  segmentSize,
  updateIndex,
  type PendingClose,
  type QueuedEvent,
  type ReadMeta,
  type SessionState,
  type StoredMeta,
} from './storage-layout.js';
import { WebTicsError } from './webtics-error.js';

/**
 * Where the queue is kept, and whom it tells about trouble there.
 *
 * @example
 * const options: StoredQueueOptions = { storage: localStorage, namespace: 'webtics', instanceId, owner, clock, onStorageProblem: console.warn };
 */
export interface StoredQueueOptions {
  storage: QueueStorage;
  namespace: string;
  instanceId: string;
  /** The fingerprint of server and key, written into the meta record. */
  owner: string;
  clock: Clock;
  /** Told when the storage cannot be read or written; the queue goes on in memory. */
  onStorageProblem: (error: WebTicsError) => void;
}

interface Entry {
  /** When the entry joined this queue (in memory only): lets a flush send what it found. */
  order: number;
  item: QueuedEvent;
}

interface Segment {
  name: number;
  entries: Entry[];
}

/**
 * The unsent events of one SDK instance, in order, mirrored in memory and
 * written through to storage before each call returns (layout in
 * storage-layout.ts). Opening an id that already has a queue in storage
 * restores that queue and its session state.
 *
 * @example
 * const queue = new StoredQueue({ storage, namespace: 'webtics', instanceId, owner, clock, onStorageProblem });
 * queue.push({ playSessionId: 17, event });
 * const batch = queue.nextBatch(50, queue.lastOrder);
 * queue.remove(new Set(batch.map((queued) => queued.event.client_event_id)));
 */
export class StoredQueue {
  /** Open sessions; call {@link saveState} after changing them. */
  state: SessionState = { session: null, play: null, lastPlayId: null, closes: [] };
  private segments: Segment[] = [];
  private nextSegment = 0;
  private order = 0;
  private count = 0;
  private released = false;
  private failing = false;
  /** Set when another owner's queue could not be moved from our keys: nothing is written. */
  private detached = false;

  constructor(private readonly options: StoredQueueOptions) {
    this.load();
    this.rewrite();
  }

  /**
   * False when this queue keeps to memory because another owner's queue is
   * stuck under its keys (see the constructor's report): it must not take in
   * other queues, which would then live in memory only.
   *
   * @example
   * if (queue.storing) adoptAbandoned(queue, options);
   */
  get storing(): boolean {
    return !this.detached;
  }

  /** How many events wait. */
  get size(): number {
    return this.count;
  }

  /** True when neither events nor closes wait. */
  get isEmpty(): boolean {
    return this.count === 0 && this.state.closes.length === 0;
  }

  /**
   * Changes the owner (after a new API key) and stores it: the events queued
   * now go with that key.
   *
   * @example
   * queue.owner = ownerOf(url, newKey);
   */
  set owner(owner: string) {
    if (owner === this.options.owner) return;
    this.options.owner = owner;
    this.saveState();
  }

  /** The order number of the newest entry; entries up to it exist now. */
  get lastOrder(): number {
    return this.order;
  }

  /**
   * Appends an event and stores it before returning.
   *
   * @example
   * queue.push({ playSessionId: 17, event });
   */
  push(item: QueuedEvent): void {
    let last = this.segments.at(-1);
    const full = last === undefined || last.entries.length >= segmentSize;
    if (full) this.segments.push((last = { name: this.nextSegment++, entries: [] }));
    last!.entries.push({ order: ++this.order, item });
    this.count++;

    this.persist(() => {
      this.writeSegment(last!);
      if (full) this.writeMeta();
    });
  }

  /**
   * Puts events taken over from another instance in front (they are older),
   * and its closes behind ours. Answers whether they reached storage.
   *
   * @example
   * queue.prepend(eventsOfAClosedTab, closesOfAClosedTab);
   */
  prepend(items: QueuedEvent[], closes: PendingClose[] = []): boolean {
    const added: Segment[] = [];
    for (let start = 0; start < items.length; start += segmentSize) {
      const entries = items
        .slice(start, start + segmentSize)
        .map((item) => ({ order: ++this.order, item }));
      added.push({ name: this.nextSegment++, entries });
    }
    this.segments.unshift(...added);
    this.count += items.length;
    this.state.closes.push(...closes);

    return this.persist(() => {
      for (const segment of added) this.writeSegment(segment);
      this.writeMeta();
    });
  }

  /**
   * Writes the whole queue to storage again, after a write failed.
   *
   * @example
   * if (!queue.prepend(events)) freeSomeSpaceThen(() => queue.rewrite());
   */
  rewrite(): boolean {
    return this.persist(() => this.writeAll(), true);
  }

  /**
   * The next batch: up to `max` events from the front that belong to one play
   * session and joined the queue at or before `upToOrder`.
   *
   * @example
   * const batch = queue.nextBatch(50, orderWhenTheFlushBegan);
   */
  nextBatch(max: number, upToOrder: number): QueuedEvent[] {
    const batch: QueuedEvent[] = [];
    for (const segment of this.segments) {
      for (const { order, item } of segment.entries) {
        if (order > upToOrder) continue;
        if (batch.length > 0 && item.playSessionId !== batch[0]!.playSessionId) return batch;
        batch.push(item);
        if (batch.length >= max) return batch;
      }
    }
    return batch;
  }

  /**
   * Whether events of this play session wait: its close must wait for them.
   *
   * @example
   * if (!queue.hasEventsOf(17)) await sendClose(17);
   */
  hasEventsOf(playSessionId: number): boolean {
    return this.segments.some((segment) =>
      segment.entries.some((entry) => entry.item.playSessionId === playSessionId),
    );
  }

  /**
   * Forgets the events with these client event ids.
   *
   * @example
   * queue.remove(new Set([eventId]));
   */
  remove(ids: ReadonlySet<string>): void {
    this.removeWhere((item) => ids.has(item.event.client_event_id));
  }

  /**
   * Forgets every event of a play session and returns them.
   *
   * @example
   * const dropped = queue.removePlay(17);
   */
  removePlay(playSessionId: number): QueuedEvent[] {
    return this.removeWhere((item) => item.playSessionId === playSessionId);
  }

  /**
   * Stores the session state (and a fresh heartbeat).
   *
   * @example
   * queue.state.play = null;
   * queue.saveState();
   */
  saveState(): void {
    this.persist(() => this.writeMeta());
  }

  /**
   * Shows other instances this one is alive, and rejoins the index if a
   * concurrent write lost it.
   *
   * @example
   * clock.setTimer(() => queue.heartbeat(), 10_000);
   */
  heartbeat(): void {
    const { storage, namespace, instanceId } = this.options;
    this.persist(() => {
      this.writeMeta();
      updateIndex(storage, namespace, { add: [instanceId] });
    }, true);
  }

  /**
   * Marks the queue free for another instance to adopt at once: the owner is
   * going away for good.
   *
   * @example
   * addEventListener('pagehide', (event) => event.persisted || queue.release());
   */
  release(): void {
    this.released = true;
    this.persist(() => this.writeMeta(), true);
  }

  private removeWhere(predicate: (item: QueuedEvent) => boolean): QueuedEvent[] {
    const removed: QueuedEvent[] = [];
    const changed: Segment[] = [];
    for (const segment of this.segments) {
      const kept = segment.entries.filter((entry) => !predicate(entry.item));
      if (kept.length === segment.entries.length) continue;

      for (const entry of segment.entries) if (predicate(entry.item)) removed.push(entry.item);
      segment.entries = kept;
      changed.push(segment);
    }
    if (removed.length === 0) return removed;

    this.count -= removed.length;
    this.segments = this.segments.filter((segment) => segment.entries.length > 0);
    this.persist(() => {
      for (const segment of changed) this.writeSegment(segment);
      this.writeMeta();
    });
    return removed;
  }

  private load(): void {
    const { storage, namespace, instanceId, owner } = this.options;
    const meta = this.read(() => readMeta(storage, namespace, instanceId));
    if (meta === 'corrupt') {
      this.report('storage_corrupt', 'The stored queue could not be read; starting empty');
      this.forget(metaKey(namespace, instanceId));
    }
    if (meta === undefined || meta === 'corrupt') return;
    if (meta.owner !== owner) return this.setAside(meta);

    this.state = meta.state;
    this.nextSegment = meta.nextSegment;
    let dropped = 0;
    for (const name of meta.segments) dropped += this.loadSegment(name);
    dropped += this.restoreNextSequence(dropped);
    if (meta.repaired || dropped > 0) {
      const message = `Parts of the stored queue could not be read (${dropped} event(s) dropped); the rest was restored`;
      this.report('storage_corrupt', message);
    }
  }

  // Answers how many events were left out: an unreadable segment counts as full.
  private loadSegment(name: number): number {
    const { storage, namespace, instanceId } = this.options;
    const read = this.read(() => readSegment(storage, namespace, instanceId, name));
    if (read === undefined) return 0;
    if (read === 'corrupt') {
      this.forget(segmentKey(namespace, instanceId, name));
      return segmentSize;
    }
    const entries = read.events.map((item) => ({ order: ++this.order, item }));
    if (entries.length > 0) this.segments.push({ name, entries });
    this.count += entries.length;
    return read.dropped;
  }

  // Drops the events whose numbers are damage (see continuePlay). Answers how many.
  private restoreNextSequence(dropped: number): number {
    const play = this.state.play;
    if (play === null) return 0;

    const items = this.segments.flatMap((segment) => segment.entries.map((entry) => entry.item));
    const { next, beyond } = continuePlay(play, items, dropped);
    play.nextSequence = next;
    if (beyond.size === 0) return 0;

    for (const segment of this.segments) {
      segment.entries = segment.entries.filter((entry) => !beyond.has(entry.item));
    }
    this.segments = this.segments.filter((segment) => segment.entries.length > 0);
    this.count -= beyond.size;
    return beyond.size;
  }

  // The queue was written with another server or API key (a lab station with
  // a fixed instanceId that ran another study): sent with ours it would be
  // refused, and hold ours up. It moves to a new random id, released, so an
  // instance with its key adopts it; its open session and play become queued
  // closes for that instance to send. The new record is written first, then
  // the segments are copied, then the old keys go: a crash in between
  // leaves events twice, never nowhere. A queue with neither events nor
  // closes is just removed. This instance starts empty.
  private setAside(meta: ReadMeta): void {
    const { storage, namespace, instanceId } = this.options;
    const id = newInstanceId();
    let aside: Aside;
    try {
      aside = this.readAside(meta);
      const closes = aside.moved.state.closes.length;
      if (aside.kept.length > 0 || closes > 0) {
        storage.setItem(metaKey(namespace, id), JSON.stringify(aside.moved));
        updateIndex(storage, namespace, { add: [id] });
      }
      for (const { name, items } of aside.kept) {
        storage.setItem(segmentKey(namespace, id, name), JSON.stringify(items));
      }
      for (const name of meta.segments) storage.removeItem(segmentKey(namespace, instanceId, name));
      storage.removeItem(metaKey(namespace, instanceId));
    } catch (cause) {
      // Our keys still hold some of it: write nothing, so none is overwritten.
      this.detached = true;
      const message =
        'The stored queue of another server or key could not be set aside; this instance keeps its events in memory only';
      this.report('storage_failed', message, cause);
      return;
    }
    this.reportAside(aside);
  }

  // The record and the non-empty segments to move, without the events whose
  // numbers are damage.
  private readAside(meta: ReadMeta): Aside {
    const { storage, namespace, instanceId } = this.options;
    const segments = meta.segments.map((name) => ({
      name,
      read: readSegment(storage, namespace, instanceId, name),
    }));
    const readable = segments.flatMap(({ read }) => (read === 'corrupt' ? [] : read.events));
    const dropped = segments.reduce(
      (sum, { read }) => sum + (read === 'corrupt' ? segmentSize : read.dropped),
      0,
    );
    const { moved, beyond } = setAsideMeta(meta, readable, dropped);
    const kept = segments.flatMap(({ name, read }) => {
      const items = read === 'corrupt' ? [] : read.events.filter((item) => !beyond.has(item));
      return items.length > 0 ? [{ name, items }] : [];
    });
    return { moved, kept };
  }

  private reportAside(aside: Aside): void {
    const events = aside.kept.reduce((sum, { items }) => sum + items.length, 0);
    const closes = aside.moved.state.closes.length;
    if (events === 0 && closes === 0) return;

    const message = `The stored queue of this instance id belongs to another server or API key; its ${events} event(s) and ${closes} queued close(s) were set aside for an instance with that key`;
    this.report('queue_set_aside', message);
  }

  private writeAll(): void {
    for (const segment of this.segments) this.writeSegment(segment);
    this.writeMeta();
    updateIndex(this.options.storage, this.options.namespace, { add: [this.options.instanceId] });
  }

  private writeSegment(segment: Segment): void {
    const { storage, namespace, instanceId } = this.options;
    const key = segmentKey(namespace, instanceId, segment.name);
    if (segment.entries.length === 0) storage.removeItem(key);
    else storage.setItem(key, JSON.stringify(segment.entries.map((entry) => entry.item)));
  }

  private writeMeta(): void {
    const { storage, namespace, instanceId, owner, clock } = this.options;
    const meta: StoredMeta = {
      v: 1,
      owner,
      heartbeat: clock.now().getTime(),
      released: this.released,
      segments: this.segments.map((segment) => segment.name),
      nextSegment: this.nextSegment,
      state: this.state,
    };
    storage.setItem(metaKey(namespace, instanceId), JSON.stringify(meta));
  }

  // Another instance adopts this queue when it looks abandoned, and removes its
  // keys. If this instance was only asleep (a frozen tab), it finds its meta
  // gone and writes its whole queue back: the adopter may then send some
  // events twice, which the server drops as duplicates, but none is lost.
  // Once a write failed, only heartbeats and rewrites try again, each with
  // the whole queue: trying that on every log could stall the game.
  private persist(write: () => void, force = false): boolean {
    const { storage, namespace, instanceId } = this.options;
    if (this.detached || (this.failing && !force)) return false;
    try {
      // After a failed write, the stored copy may lack anything: write it all.
      const lost = this.failing || storage.getItem(metaKey(namespace, instanceId)) === null;
      if (lost) this.writeAll();
      else write();
      this.failing = false;
      return true;
    } catch (cause) {
      if (!this.failing) {
        this.report('storage_failed', 'Events could not be stored; they are kept in memory', cause);
      }
      this.failing = true;
      return false;
    }
  }

  private read<T>(load: () => T): T | undefined {
    try {
      return load();
    } catch (cause) {
      this.report('storage_failed', 'The stored queue could not be read; starting empty', cause);
      return undefined;
    }
  }

  private forget(key: string): void {
    this.read(() => this.options.storage.removeItem(key));
  }

  private report(code: string, message: string, cause?: unknown): void {
    this.options.onStorageProblem(new WebTicsError(message, code, undefined, false, { cause }));
  }
}

/**
 * Where a restored play's numbering goes on. The stored state is written
 * less often than events are, so queued events of the play may carry higher
 * numbers than its `nextSequence`. But every event logged since the state was
 * written is still queued (sending one writes the state), so those numbers
 * form a run from `nextSequence`, one per such event or per event `dropped`
 * as unreadable. A number beyond that run is damage that would put every
 * later number wrong: its event is answered in `beyond`, to be dropped. After
 * a drop the play goes on past the whole run, so that a lost event's number
 * is never given to another.
 *
 * @example
 * const { next, beyond } = continuePlay(state.play, queuedEvents, 0);
 */
export function continuePlay(
  play: NonNullable<SessionState['play']>,
  items: QueuedEvent[],
  dropped: number,
): { next: number; beyond: Set<QueuedEvent> } {
  const stored = play.nextSequence;
  const later = items.filter(
    (item) => item.playSessionId === play.id && item.event.sequence >= stored,
  );
  const run = new Set(later.map((item) => item.event.sequence)).size + dropped;
  const highest = stored - 1 + run;
  const beyond = new Set(later.filter((item) => item.event.sequence > highest));
  let next = stored;
  for (const item of later) {
    if (!beyond.has(item)) next = Math.max(next, item.event.sequence + 1);
  }
  if (dropped > 0 || beyond.size > 0) next = Math.max(next, highest + 1);
  return { next, beyond };
}

// A queue on its way to another id: its new record, and its segments that
// still hold events.
interface Aside {
  moved: StoredMeta;
  kept: { name: number; items: QueuedEvent[] }[];
}

// The record of a queue set aside: released at once, and its open session
// and play turned into queued closes, for the instance that adopts it.
// Answers too the events whose numbers are damage, which are left behind.
function setAsideMeta(
  meta: ReadMeta,
  items: QueuedEvent[],
  dropped: number,
): { moved: StoredMeta; beyond: Set<QueuedEvent> } {
  const { session, play, lastPlayId, closes } = meta.state;
  const state: SessionState = { session: null, play: null, lastPlayId, closes: [...closes] };
  let beyond = new Set<QueuedEvent>();
  if (play) {
    const continued = continuePlay(play, items, dropped);
    beyond = continued.beyond;
    state.closes.push({ kind: 'play', id: play.id, lastSequence: continued.next - 1 });
  }
  if (session) state.closes.push({ kind: 'session', id: session.id });
  const { owner, heartbeat, segments, nextSegment } = meta;
  return {
    moved: { v: 1, owner, heartbeat, released: true, segments, nextSegment, state },
    beyond,
  };
}
