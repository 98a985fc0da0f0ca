import { describe, expect, it } from 'vitest';

import type { LockManagerLike } from '../../../sdk/web/src/webtics.js';
import { EventType, MemoryStorage } from '../../../sdk/web/src/webtics.js';
import { makeRig, settle, startPlaying } from './support/rig.js';

/** Every key the storage holds. */
function keysOf(storage: MemoryStorage): string[] {
  return storage.keys();
}

describe('the size cap', () => {
  it('drops the newest events once maxStoredEvents wait, and reports them', async () => {
    const rig = makeRig();
    const client = rig.client({ maxStoredEvents: 3 });
    await startPlaying(client);
    rig.server.answerNext('/events/batch', 'network_error');

    for (let i = 0; i < 5; i++) client.log(EventType.TRIAL_START, { data: { i } });

    expect(client.pendingEvents).toBe(3);
    expect(rig.dropped.map((drop) => [drop.reason, drop.event.sequence])).toEqual([
      ['queue_full', 4],
      ['queue_full', 5],
    ]);
  });

  it('keeps the sequence numbers of dropped events used, so the gap shows on the server', async () => {
    const rig = makeRig();
    const client = rig.client({ maxStoredEvents: 2 });
    await startPlaying(client);

    for (let i = 0; i < 3; i++) client.log(EventType.TRIAL_START);
    await client.flush();
    client.log(EventType.TRIAL_START);
    await client.closePlay();

    const sent = rig.server.batches.flat().map((event) => event.sequence);
    expect(sent).toEqual([1, 2, 4]);
    expect(rig.server.requests.at(-1)!.body).toEqual({ last_sequence: 4 });
  });
});

describe('surviving a reload or crash', () => {
  it('a new instance on the same storage sends what a crashed one left, once stale', async () => {
    const rig = makeRig();
    const crashed = rig.client({ staleAfterMs: 60_000 });
    await startPlaying(crashed);
    const playId = crashed.playSessionId;
    const ids = [crashed.log(EventType.TASK_START), crashed.log(EventType.TRIAL_START)];

    const tooSoon = rig.client({ staleAfterMs: 60_000 });
    await tooSoon.flush();
    expect(rig.server.stored.size).toBe(0);

    rig.clock.elapsed += 61_000; // no heartbeat ran: the page died
    const next = rig.client({ staleAfterMs: 60_000 });
    await next.flush();

    expect([...rig.server.stored.keys()]).toEqual(ids);
    expect([...rig.server.stored.values()].map((event) => event.play_session_id)).toEqual([
      playId,
      playId,
    ]);
    expect(keysOf(rig.storage).filter((key) => key.includes(crashed.instanceId))).toEqual([]);
  });

  it('adopts at once the queue of an instance that was closed (released)', async () => {
    const rig = makeRig();
    const first = rig.client({ closeTimeoutMs: 1000 });
    await startPlaying(first);
    rig.server.answerNext('/events/batch', 'network_error', 'network_error', 'network_error');
    const id = first.log(EventType.TASK_START);
    await first.close();
    expect(rig.server.stored.size).toBe(0);

    const next = rig.client();
    await next.flush();

    expect(rig.server.stored.has(id)).toBe(true);
  });

  it('does not adopt a live instance, nor one of another server or key', async () => {
    const rig = makeRig();
    const live = rig.client();
    await startPlaying(live);
    live.log(EventType.TASK_START);
    const otherKey = rig.client({ apiKey: 'wt_other_key', retry: { maxAttempts: 1 } });
    await startPlaying(otherKey);
    otherKey.log(EventType.TASK_START);
    rig.server.answerNext('/events/batch', 'network_error');
    await otherKey.close();

    const next = rig.client();
    await next.flush();

    expect(rig.server.stored.size).toBe(0);
    expect(live.pendingEvents).toBe(1);
  });

  it('two live tabs on one storage keep their own queues: every event is sent once', async () => {
    const rig = makeRig();
    const [tabA, tabB] = [rig.client(), rig.client()];
    await startPlaying(tabA);
    await startPlaying(tabB);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(tabA.log(EventType.TRIAL_START), tabB.log(EventType.TRIAL_START));

    const tabC = rig.client();
    await tabC.flush();
    await Promise.all([tabA.flush(), tabB.flush()]);

    expect(tabC.pendingEvents).toBe(0);
    const sent = rig.server.batches.flat().map((event) => event.client_event_id);
    expect(sent.sort()).toEqual(ids.sort());
  });

  it('a restarted instance with a fixed id carries on its session, play and sequence', async () => {
    const rig = makeRig();
    const before = rig.client({ instanceId: 'bot-1' });
    await startPlaying(before);
    before.log(EventType.TASK_START);
    before.log(EventType.TRIAL_START);
    rig.clock.advance(10_000);

    const after = rig.client({ instanceId: 'bot-1' });
    expect(after.sessionId).toBe(before.sessionId);
    expect(after.playSessionId).toBe(before.playSessionId);
    expect(after.pendingEvents).toBe(2);
    after.log(EventType.CORRECT_RESPONSE, { magnitude: 300 });
    await after.endSession();

    const sent = rig.server.batches.flat();
    expect(sent.map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(sent[2]!.monotonic_ms).toBe(10_000);
    const close = rig.server.requests.find((request) => request.path.endsWith('/close'));
    expect(close!.body).toEqual({ last_sequence: 3 });
  });

  it('a frozen tab whose queue was adopted writes it back on waking: duplicates, not loss', async () => {
    const rig = makeRig();
    const frozen = rig.client({ staleAfterMs: 60_000 });
    await startPlaying(frozen);
    const early = frozen.log(EventType.TASK_START);
    rig.clock.elapsed += 61_000;
    const adopter = rig.client({ staleAfterMs: 60_000, retry: { maxAttempts: 1 } });
    rig.server.answerNext('/events/batch', 'network_error');
    await expect(adopter.flush()).rejects.toThrow();
    expect(adopter.pendingEvents).toBe(1);

    const late = frozen.log(EventType.TRIAL_START);
    const reloaded = rig.client({ instanceId: frozen.instanceId });
    expect(reloaded.pendingEvents).toBe(2);

    await frozen.flush();
    await adopter.flush();
    expect([...rig.server.stored.keys()].sort()).toEqual([early, late].sort());
  });

  it('serialises adoption through the Web Locks API when there is one', async () => {
    const rig = makeRig();
    const names: string[] = [];
    const locks: LockManagerLike = {
      request: async (name, callback) => {
        names.push(name);
        return callback();
      },
    };

    const client = rig.client({ locks, storageNamespace: 'game-a' });
    await client.flush();

    expect(names).toEqual(['game-a:adopt']);
  });

  it('heartbeats keep an instance from being adopted while it lives', async () => {
    const rig = makeRig();
    const live = rig.client({ heartbeatMs: 10_000, staleAfterMs: 30_000 });
    await startPlaying(live);
    live.log(EventType.TASK_START);

    rig.clock.advance(120_000);
    const next = rig.client({ staleAfterMs: 30_000 });
    await next.flush();
    await settle();

    expect(rig.server.stored.size).toBe(0);
    expect(live.pendingEvents).toBe(1);
  });
});

describe('storage trouble', () => {
  it('keeps events in memory and reports once when the storage refuses writes', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.storage.setItem = () => {
      throw new Error('QuotaExceededError');
    };

    client.log(EventType.TASK_START);
    client.log(EventType.TRIAL_START);
    await client.flush();

    expect(rig.errors).toHaveLength(1);
    expect(rig.errors[0]).toMatchObject({ code: 'storage_failed' });
    expect(rig.server.stored.size).toBe(2);
  });

  it('starts empty and reports when its stored queue is unreadable', () => {
    const rig = makeRig();
    rig.storage.setItem('webtics:bot-1', '{"v":1,"owner":');

    const client = rig.client({ instanceId: 'bot-1' });

    expect(client.pendingEvents).toBe(0);
    expect(rig.errors).toEqual([expect.objectContaining({ code: 'storage_corrupt' })]);
  });

  it('falls back to memory where there is no localStorage', async () => {
    const { defaultStorage } = await import('../../../sdk/web/src/webtics.js');
    const chosen = defaultStorage();
    expect(chosen.persistent).toBe(false);
    expect(chosen.storage).toBeInstanceOf(MemoryStorage);
  });
});
