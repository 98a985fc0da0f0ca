import { describe, expect, it } from 'vitest';

import { EventType } from '../../../sdk/web/src/webtics.js';
import { makeRig, startPlaying, type Rig } from './support/rig.js';

// A stored record damaged on disk (an editor, a bad sector, another program)
// costs what is damaged, is reported, and never puts later numbers wrong.

const instanceId = 'station-3';
const metaKey = `webtics:${instanceId}`;
const segmentKey = `webtics:${instanceId}:0`;

/** A run that logs `events` events and crashes before sending them. */
async function crashedRun(rig: Rig, events = 3) {
  const client = rig.client({ instanceId, heartbeatMs: 1e12 });
  await startPlaying(client);
  for (let i = 0; i < events; i++) client.log(EventType.TRIAL_START);
  return client;
}

type Segment = { event: { sequence: unknown } }[];
type Meta = { nextSegment: unknown; state: { play: { nextSequence: unknown } } };

/** Changes a stored record as JSON: damage at will. */
function edit<T>(rig: Rig, key: string, change: (record: T) => void): void {
  const record = JSON.parse(rig.storage.getItem(key)!) as T;
  change(record);
  rig.storage.setItem(key, JSON.stringify(record));
}

function corruptionReports(rig: Rig): unknown[] {
  return rig.errors.filter((error) => (error as { code?: string }).code === 'storage_corrupt');
}

describe('damaged stored records', () => {
  it.each([['abc'], ['3'], [2_147_483_647], [2.5], [0], [null]])(
    'drops an event whose sequence became %j, and numbers on past it',
    async (sequence) => {
      const rig = makeRig();
      const crashed = await crashedRun(rig);
      edit<Segment>(rig, segmentKey, (events) => (events[2]!.event.sequence = sequence));

      const restarted = rig.client({ instanceId });
      expect(restarted.pendingEvents).toBe(2);
      expect(restarted.playSessionId).toBe(crashed.playSessionId);
      restarted.log(EventType.TRIAL_START);
      await restarted.closePlay();

      expect(rig.server.batches.flat().map((event) => event.sequence)).toEqual([1, 2, 4]);
      expect(rig.server.requests.at(-1)!.body).toEqual({ last_sequence: 4 });
      expect(corruptionReports(rig)).toHaveLength(1);
    },
  );

  it('keeps the other events of a segment when one is not an event at all', async () => {
    const rig = makeRig();
    await crashedRun(rig);
    edit<unknown[]>(rig, segmentKey, (events) =>
      events.splice(1, 0, 'junk', { playSessionId: 'x' }),
    );

    const restarted = rig.client({ instanceId });
    await restarted.flush();

    expect(rig.server.batches.flat().map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(corruptionReports(rig)).toHaveLength(1);
  });

  it('gives up a restored play whose numbers are damaged, but sends its events', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig);
    edit<Meta>(rig, metaKey, (meta) => (meta.state.play.nextSequence = '3'));

    const restarted = rig.client({ instanceId });
    expect(restarted.playSessionId).toBeUndefined();
    expect(restarted.sessionId).toBe(crashed.sessionId);
    expect(restarted.pendingEvents).toBe(3);
    expect(() => restarted.log(EventType.TRIAL_START)).toThrow('Start a play');
    await restarted.flush();

    expect(rig.server.stored.size).toBe(3);
    expect(corruptionReports(rig)).toHaveLength(1);
  });

  it('never names a new segment after one that is stored, whatever nextSegment says', async () => {
    const rig = makeRig();
    await crashedRun(rig, 100);
    edit<Meta>(rig, metaKey, (meta) => (meta.nextSegment = 0));

    const restarted = rig.client({ instanceId, heartbeatMs: 1e12 });
    restarted.log(EventType.TRIAL_START);

    const again = rig.client({ instanceId });
    expect(again.pendingEvents).toBe(101);
    expect(corruptionReports(rig)).toHaveLength(1);
  });

  it('refuses to log past the highest sequence number the server takes', async () => {
    const rig = makeRig();
    await crashedRun(rig, 0);
    edit<Meta>(rig, metaKey, (meta) => (meta.state.play.nextSequence = 2_147_483_647));

    const restarted = rig.client({ instanceId });
    restarted.log(EventType.TRIAL_START);

    expect(() => restarted.log(EventType.TRIAL_START)).toThrow(RangeError);
    expect(restarted.pendingEvents).toBe(1);
    expect(corruptionReports(rig)).toEqual([]);
  });

  it('reports nothing for a queue that is whole', async () => {
    const rig = makeRig();
    await crashedRun(rig, 150);

    const restarted = rig.client({ instanceId });

    expect(restarted.pendingEvents).toBe(150);
    expect(rig.errors).toEqual([]);
  });
});
