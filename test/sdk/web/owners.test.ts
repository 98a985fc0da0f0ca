import { describe, expect, it } from 'vitest';

import { EventType, type MemoryStorage } from '../../../sdk/web/src/webtics.js';
import { errorBody } from './support/fake-server.js';
import { makeRig, settle, startPlaying, type Rig } from './support/rig.js';

const instanceId = 'station-3';

/** Every key the storage holds. */
function keysOf(storage: MemoryStorage): string[] {
  return storage.keys();
}

/** A run of study A on the lab station that crashes with three events unsent. */
async function crashedStudyA(rig: Rig) {
  const client = rig.client({ instanceId, apiKey: 'wt_study_a', heartbeatMs: 1e12 });
  await startPlaying(client);
  const ids = [1, 2, 3].map(() => client.log(EventType.TRIAL_START));
  return { sessionId: client.sessionId!, playId: client.playSessionId!, ids };
}

function batchKeys(rig: Rig): string[] {
  return rig.server.requests
    .filter((request) => request.path.startsWith('/api/v1/events/batch'))
    .map((request) => request.headers['x-api-key']!);
}

describe("a stored queue of another server or key (the station's last study)", () => {
  it('is set aside, not sent with the new key, and the new study goes on unhindered', async () => {
    const rig = makeRig();
    await crashedStudyA(rig);

    const studyB = rig.client({ instanceId, apiKey: 'wt_study_b' });
    expect(studyB.pendingEvents).toBe(0);
    expect(studyB.sessionId).toBeUndefined();
    expect(studyB.playSessionId).toBeUndefined();
    await startPlaying(studyB);
    const own = studyB.log(EventType.TASK_START);
    await studyB.flush();

    expect([...rig.server.stored.keys()]).toEqual([own]);
    expect(batchKeys(rig)).toEqual(['wt_study_b']);
    expect(rig.server.requests.filter((r) => r.path.endsWith('/close'))).toEqual([]);
    expect(studyB.paused).toBeUndefined();
    expect(rig.errors).toEqual([
      expect.objectContaining({
        code: 'queue_set_aside',
        message: expect.stringMatching(/3 event/),
      }),
    ]);
  });

  it('is adopted by an instance with its own key, which sends its events and closes', async () => {
    const rig = makeRig();
    const crashed = await crashedStudyA(rig);
    rig.client({ instanceId, apiKey: 'wt_study_b' });

    const otherStudy = rig.client({ apiKey: 'wt_study_c' });
    await otherStudy.flush();
    expect(rig.server.requests).toHaveLength(2);

    const studyA = rig.client({ apiKey: 'wt_study_a' });
    await studyA.flush();

    expect([...rig.server.stored.keys()]).toEqual(crashed.ids);
    expect(batchKeys(rig)).toEqual(['wt_study_a']);
    const closes = rig.server.requests.filter((r) => r.path.endsWith('/close'));
    expect(closes.map((r) => [r.path, r.body, r.headers['x-api-key']])).toEqual([
      [`/api/v1/play-sessions/${crashed.playId}/close`, { last_sequence: 3 }, 'wt_study_a'],
      [`/api/v1/sessions/${crashed.sessionId}/close`, {}, 'wt_study_a'],
    ]);
    const left = keysOf(rig.storage).filter((key) => key !== 'webtics:instances');
    expect(left.sort()).toEqual(
      [
        `webtics:${instanceId}`,
        `webtics:${otherStudy.instanceId}`,
        `webtics:${studyA.instanceId}`,
      ].sort(),
    );
  });

  it('stays untouched under its keys when it cannot be moved, and the new instance keeps to memory', async () => {
    const rig = makeRig();
    await crashedStudyA(rig);
    const before = new Map(keysOf(rig.storage).map((key) => [key, rig.storage.getItem(key)]));
    const setItem = rig.storage.setItem.bind(rig.storage);
    rig.storage.setItem = () => {
      throw new Error('QuotaExceededError');
    };

    const studyB = rig.client({ instanceId, apiKey: 'wt_study_b' });
    rig.storage.setItem = setItem;
    await startPlaying(studyB);
    const own = studyB.log(EventType.TASK_START);
    await studyB.flush();

    expect(rig.errors).toEqual([expect.objectContaining({ code: 'storage_failed' })]);
    expect(new Map(keysOf(rig.storage).map((key) => [key, rig.storage.getItem(key)]))).toEqual(
      before,
    );
    expect([...rig.server.stored.keys()]).toEqual([own]);
    expect(batchKeys(rig)).toEqual(['wt_study_b']);
  });

  it('is removed without a trace or a report when it holds neither events nor closes', async () => {
    const rig = makeRig();
    const studyA = rig.client({ instanceId, apiKey: 'wt_study_a' });
    await startPlaying(studyA);
    studyA.log(EventType.TRIAL_START);
    await studyA.endSession();

    rig.client({ instanceId, apiKey: 'wt_study_b' });

    expect(rig.errors).toEqual([]);
    expect(keysOf(rig.storage).sort()).toEqual(['webtics:instances', `webtics:${instanceId}`]);
    expect(JSON.parse(rig.storage.getItem('webtics:instances')!)).toEqual([instanceId]);
  });

  it('is set aside for its closes alone when all its events were sent', async () => {
    const rig = makeRig();
    const studyA = rig.client({ instanceId, apiKey: 'wt_study_a', heartbeatMs: 1e12 });
    await startPlaying(studyA);
    studyA.log(EventType.TRIAL_START);
    await studyA.flush();

    rig.client({ instanceId, apiKey: 'wt_study_b' });

    expect(rig.errors).toEqual([
      expect.objectContaining({
        code: 'queue_set_aside',
        message: expect.stringMatching(/0 event\(s\) and 2 queued close\(s\)/),
      }),
    ]);
  });

  it('after a key rotation, is sent with the new key by a rescue started with the old one', async () => {
    const rig = makeRig();
    const crashed = await crashedStudyA(rig);
    rig.client({ instanceId, apiKey: 'wt_study_a2' });

    const before = rig.server.requests.length;
    const rescue = rig.client({ instanceId: 'rescue', apiKey: 'wt_study_a' });
    rescue.resumeSending('wt_study_a2');
    await rescue.flush();

    expect([...rig.server.stored.keys()]).toEqual(crashed.ids);
    const sent = rig.server.requests.slice(before);
    expect(sent.map((request) => request.path)).toEqual([
      `/api/v1/events/batch?play_session_id=${crashed.playId}`,
      `/api/v1/play-sessions/${crashed.playId}/close`,
      `/api/v1/sessions/${crashed.sessionId}/close`,
    ]);
    expect(new Set(sent.map((request) => request.headers['x-api-key']))).toEqual(
      new Set(['wt_study_a2']),
    );
    expect(rescue.pendingEvents).toBe(0);
  });

  it('is kept by a restart with the key given to resumeSending()', async () => {
    const rig = makeRig();
    const client = rig.client({ instanceId, retry: { maxAttempts: 1 } });
    await startPlaying(client);
    rig.server.answerNext(
      '/events/batch',
      { status: 403, body: errorBody('forbidden', false) },
      'network_error',
    );
    client.log(EventType.TASK_START);
    await expect(client.flush()).rejects.toMatchObject({ status: 403 });
    client.resumeSending('wt_new_key');
    await settle();
    expect(client.pendingEvents).toBe(1);

    const restarted = rig.client({ instanceId, apiKey: 'wt_new_key' });
    expect(restarted.pendingEvents).toBe(1);
    expect(restarted.playSessionId).toBe(client.playSessionId);
    expect(rig.errors.filter((e) => (e as { code?: string }).code === 'queue_set_aside')).toEqual(
      [],
    );
  });
});

describe('names in storage keys', () => {
  it.each([
    ['instanceId', 'instances'],
    ['instanceId', 'Instances'],
    ['instanceId', 'INSTANCES'],
    ['instanceId', 'a:0'],
    ['instanceId', ''],
    ['instanceId', 'x'.repeat(65)],
    ['instanceId', 'station 3'],
    ['instanceId', 'stätion'],
    ['instanceId', '../x'],
    ['storageNamespace', 'game:a'],
    ['storageNamespace', ''],
    ['storageNamespace', 'a/b'],
  ])('refuses %s %j with a TypeError that says what is allowed', (option, value) => {
    const rig = makeRig();
    expect(() => rig.client({ [option]: value })).toThrow(TypeError);
    expect(() => rig.client({ [option]: value })).toThrow(/instanceId|storageNamespace/);
    expect(keysOf(rig.storage)).toEqual([]);
  });

  it('takes 1–64 characters of A-Z a-z 0-9 _ -', () => {
    const rig = makeRig();
    const client = rig.client({ instanceId: 'Station_3-A', storageNamespace: 'game-a_2' });
    rig.client({ instanceId: 'x'.repeat(64) });

    expect(client.instanceId).toBe('Station_3-A');
    expect(keysOf(rig.storage)).toContain('game-a_2:Station_3-A');
  });
});
