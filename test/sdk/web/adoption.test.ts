import { describe, expect, it } from 'vitest';

import { FileStorage } from '../../../sdk/web/src/node/file-storage.js';
import { storageKeys } from '../../../sdk/web/src/queue-storage.js';
import { listInstances } from '../../../sdk/web/src/storage-layout.js';
import {
  EventType,
  MemoryStorage,
  type QueueStorage,
  type WebTics,
} from '../../../sdk/web/src/webtics.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { makeRig, startPlaying, type Rig } from './support/rig.js';

const indexKey = 'webtics:instances';
const staleAfterMs = 60_000;

/**
 * The storage as a tab sees it whose view of the index is still `seen`: in
 * Chromium another tab's localStorage write reaches it a little later.
 */
function lateIndexView(storage: QueueStorage, seen: string | null): QueueStorage {
  const view: QueueStorage = {
    getItem: (key) => (key === indexKey ? seen : storage.getItem(key)),
    setItem: (key, value) => storage.setItem(key, value),
    removeItem: (key) => storage.removeItem(key),
  };
  if (storageKeys(storage) !== undefined) view.keys = () => storageKeys(storage)!;
  return view;
}

/** A storage of a game's own, with the three required methods and no listing. */
function unlistedStorage(storage: QueueStorage): QueueStorage {
  return {
    getItem: (key) => storage.getItem(key),
    setItem: (key, value) => storage.setItem(key, value),
    removeItem: (key) => storage.removeItem(key),
  };
}

/** A storage shaped like `localStorage`: keys listed by `length` and `key(i)` only. */
class WebStorageLike implements QueueStorage {
  private readonly items = new Map<string, string>();

  get length(): number {
    return this.items.size;
  }

  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }

  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }

  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }

  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/**
 * Two tabs that start together, the way their index writes race: both read
 * the index before either writes, so the second write drops the first tab.
 * The first tab then logs three events and dies before its first heartbeat.
 */
async function racingTabsOneDies(rig: Rig, storage: QueueStorage = rig.storage) {
  const before = storage.getItem(indexKey);
  const dying = rig.client({ storage, staleAfterMs, heartbeatMs: 1e12 });
  const racing = rig.client({ storage: lateIndexView(storage, before), staleAfterMs });
  await startPlaying(dying);
  const ids = [1, 2, 3].map(() => dying.log(EventType.TRIAL_START));
  rig.clock.elapsed += staleAfterMs + 1000; // no heartbeat ran: the tab hung
  return { dying, racing, ids };
}

function indexOf(storage: QueueStorage): string[] {
  return JSON.parse(storage.getItem(indexKey) ?? '[]') as string[];
}

function keysOf(storage: QueueStorage, client: WebTics): string[] {
  return (storageKeys(storage) ?? []).filter((key) => key.includes(client.instanceId));
}

describe('a queue whose entry in the index was lost to two tabs starting together', () => {
  it('is adopted and sent all the same, and its keys are removed', async () => {
    const rig = makeRig();
    const { dying, racing, ids } = await racingTabsOneDies(rig);
    expect(indexOf(rig.storage)).toEqual([racing.instanceId]);

    const next = rig.client({ staleAfterMs });
    await next.flush();

    expect([...rig.server.stored.keys()]).toEqual(ids);
    expect(next.pendingEvents).toBe(0);
    expect(keysOf(rig.storage, dying)).toEqual([]);
  });

  it('is found in a storage that lists its keys by length and key(i), as localStorage', async () => {
    const rig = makeRig();
    const storage = new WebStorageLike();
    expect('keys' in storage).toBe(false);
    const { racing, ids } = await racingTabsOneDies(rig, storage);
    expect(indexOf(storage)).toEqual([racing.instanceId]);

    const next = rig.client({ storage, staleAfterMs });
    await next.flush();

    expect([...rig.server.stored.keys()]).toEqual(ids);
  });

  it('is found in a Node file storage too, whose keys are its file names', async () => {
    const dir = makeTempDir('webtics-lost-index');
    try {
      const rig = makeRig();
      const storage = new FileStorage(dir.path, { durable: false });
      const { racing, ids } = await racingTabsOneDies(rig, storage);
      expect(indexOf(storage)).toEqual([racing.instanceId]);

      const next = rig.client({ storage, staleAfterMs });
      await next.flush();

      expect([...rig.server.stored.keys()]).toEqual(ids);
    } finally {
      dir.remove();
    }
  });

  it('stays unsent in a storage without keys(), which has only the index to go by', async () => {
    const rig = makeRig();
    const storage = unlistedStorage(rig.storage);
    const { dying } = await racingTabsOneDies(rig, storage);

    const next = rig.client({ storage, staleAfterMs });
    await next.flush();

    expect(rig.server.stored.size).toBe(0);
    expect(keysOf(rig.storage, dying)).toHaveLength(2);
  });
});

describe('a storage without keys()', () => {
  it('still has a crashed instance’s queue adopted through the index', async () => {
    const rig = makeRig();
    const storage = unlistedStorage(rig.storage);
    const crashed = rig.client({ storage, staleAfterMs, heartbeatMs: 1e12 });
    await startPlaying(crashed);
    const ids = [crashed.log(EventType.TASK_START), crashed.log(EventType.TRIAL_START)];
    rig.clock.elapsed += staleAfterMs + 1000;

    const next = rig.client({ storage, staleAfterMs });
    await next.flush();

    expect([...rig.server.stored.keys()]).toEqual(ids);
    expect(keysOf(rig.storage, crashed)).toEqual([]);
    expect(indexOf(rig.storage)).toEqual([next.instanceId]);
  });
});

describe('listInstances', () => {
  it('answers the ids of the index and of every meta record, once each', () => {
    const storage = new MemoryStorage();
    storage.setItem(indexKey, JSON.stringify(['old-layout', 'both']));
    for (const key of [
      'webtics:both',
      'webtics:both:0',
      'webtics:unlisted',
      'webtics:unlisted:3',
    ]) {
      storage.setItem(key, '{}');
    }

    expect(listInstances(storage, 'webtics')).toEqual(['old-layout', 'both', 'unlisted']);
  });

  it('leaves out the index, segments, other namespaces and keys of the game', () => {
    const storage = new MemoryStorage();
    const foreign = [
      'webtics-2:abc',
      'webtics2:abc',
      'other:abc',
      'webtics',
      'webtics:',
      'xwebtics:a',
    ];
    for (const key of [indexKey, 'webtics:abc:0', ...foreign]) storage.setItem(key, '{}');

    expect(listInstances(storage, 'webtics')).toEqual([]);
    expect(listInstances(storage, 'webtics-2')).toEqual(['abc']);
  });
});
