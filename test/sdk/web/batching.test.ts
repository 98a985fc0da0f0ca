import { describe, expect, it } from 'vitest';

import { EventType, type WebTics } from '../../../sdk/web/src/webtics.js';
import { makeRig, settle, startPlaying } from './support/rig.js';

describe('when events are sent', () => {
  it('sends a batch as soon as it is full', async () => {
    const rig = makeRig();
    const client = rig.client({ batchSize: 3 });
    await startPlaying(client);

    client.log(EventType.TASK_START);
    client.log(EventType.TRIAL_START);
    await settle();
    expect(rig.server.batches).toHaveLength(0);

    client.log(EventType.TRIAL_START);
    await settle();
    expect(rig.server.batches.map((batch) => batch.length)).toEqual([3]);
    expect(client.pendingEvents).toBe(0);
  });

  it('sends a part batch once its oldest event has waited flushIntervalMs', async () => {
    const rig = makeRig();
    const client = rig.client({ batchSize: 50, flushIntervalMs: 5000 });
    await startPlaying(client);

    client.log(EventType.TASK_START);
    rig.clock.advance(3000);
    client.log(EventType.TRIAL_START);
    rig.clock.advance(1999);
    await settle();
    expect(rig.server.batches).toHaveLength(0);

    rig.clock.advance(1);
    await settle();
    expect(rig.server.batches.map((batch) => batch.length)).toEqual([2]);
  });

  it('splits the queue into batches of batchSize', async () => {
    const rig = makeRig();
    const client = rig.client({ batchSize: 4 });
    await startPlaying(client);
    rig.server.hold();

    for (let i = 0; i < 10; i++) client.log(EventType.TRIAL_START);
    rig.server.release();
    await client.flush();

    expect(rig.server.batches.map((batch) => batch.length)).toEqual([4, 4, 2]);
    expect(rig.server.batches.flat().map((event) => event.sequence)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  });
});

describe('one flush at a time', () => {
  it('never has two batches in flight, however often flush is called', async () => {
    const rig = makeRig();
    const client = rig.client({ batchSize: 2 });
    await startPlaying(client);
    rig.server.hold();

    const flushes: Promise<void>[] = [];
    for (let i = 0; i < 6; i++) {
      client.log(EventType.TRIAL_START);
      flushes.push(client.flush());
    }
    await settle();
    expect(rig.server.inFlight).toBe(1);

    rig.server.release();
    await Promise.all(flushes);
    expect(rig.server.maxInFlight).toBe(1);
    expect(rig.server.stored.size).toBe(6);
  });

  it('a flush called during another joins it and also covers the events logged meanwhile', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    client.log(EventType.TASK_START);
    rig.server.hold();

    const first = client.flush();
    await settle();
    client.log(EventType.TRIAL_START);
    const second = client.flush();
    let secondDone = false;
    void second.then(() => (secondDone = true));
    await settle();
    expect(secondDone).toBe(false);

    rig.server.release();
    await Promise.all([first, second]);
    expect(rig.server.batches.map((batch) => batch.map((event) => event.sequence))).toEqual([
      [1],
      [2],
    ]);
    expect(client.pendingEvents).toBe(0);
  });

  it('finishes a flush under steady logging: it sends what was queued when it began', async () => {
    const rig = makeRig();
    let batchesSeen = 0;
    // Every batch sent brings a new event, as a game that keeps logging would;
    // capped, so that a flush that chased them would still end.
    const fetchAndLog: typeof fetch = async (input, init) => {
      if ((input as string).includes('/events/batch') && ++batchesSeen < 50) {
        steady.log(EventType.TRIAL_START);
      }
      return rig.server.fetch(input, init);
    };
    const steady: WebTics = rig.client({ fetch: fetchAndLog });
    await startPlaying(steady);

    steady.log(EventType.TASK_START);
    await steady.flush();

    expect(rig.server.batches.map((batch) => batch.length)).toEqual([1]);
    expect(steady.pendingEvents).toBe(1);
  });
});
