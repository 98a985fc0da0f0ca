import { describe, expect, it } from 'vitest';

import { EventType } from '../../../sdk/web/src/webtics.js';
import { errorBody } from './support/fake-server.js';
import { makeRig, settle, startPlaying, type Rig } from './support/rig.js';

const instanceId = 'station-3';

/**
 * A run that opens a session and a play, logs two events and crashes: it
 * stays in memory but never sends or beats again, as a killed process.
 */
async function crashedRun(rig: Rig, { play = true } = {}) {
  const client = rig.client({ instanceId, heartbeatMs: 1e12 });
  await client.startSession('participant-17');
  if (play) await client.startPlay();
  const ids = play ? [client.log(EventType.TASK_START), client.log(EventType.TRIAL_START)] : [];
  return { sessionId: client.sessionId!, playId: client.playSessionId, ids };
}

function indexOfRequest(rig: Rig, path: string): number {
  return rig.server.requests.findIndex((request) => request.path === path);
}

/** Where the last batch of a play went out: the one that got through. */
function lastBatchOf(rig: Rig, playId: number | undefined): number {
  const path = `/api/v1/events/batch?play_session_id=${playId}`;
  return rig.server.requests.findLastIndex((request) => request.path === path);
}

function closes(rig: Rig) {
  return rig.server.requests.filter((request) => request.path.endsWith('/close'));
}

describe('starting again after a crash, with a fixed instanceId', () => {
  it('startSession() sends what a crash left, then closes its play and session', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig);

    const restarted = rig.client({ instanceId });
    const session = await restarted.startSession('participant-18');
    await restarted.startPlay();
    await restarted.flush();

    expect(session.id).not.toBe(crashed.sessionId);
    expect([...rig.server.stored.keys()]).toEqual(crashed.ids);
    const sent = lastBatchOf(rig, crashed.playId);
    const playClosed = indexOfRequest(rig, `/api/v1/play-sessions/${crashed.playId}/close`);
    const sessionClosed = indexOfRequest(rig, `/api/v1/sessions/${crashed.sessionId}/close`);
    expect(sent).toBeGreaterThanOrEqual(0);
    expect(playClosed).toBeGreaterThan(sent);
    expect(sessionClosed).toBeGreaterThan(playClosed);
    expect(rig.server.requests[playClosed]!.body).toEqual({ last_sequence: 2 });
    expect(rig.errors).toEqual([]);
  });

  it('numbers the events of the new play from 1', async () => {
    const rig = makeRig();
    await crashedRun(rig);

    const restarted = rig.client({ instanceId });
    await startPlaying(restarted);
    restarted.log(EventType.TASK_START);
    await restarted.flush();

    expect(rig.server.batches.at(-1)!.map((event) => event.sequence)).toEqual([1]);
  });

  it('closes a session left open without a play, and sends no play close', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig, { play: false });

    const restarted = rig.client({ instanceId });
    await restarted.startSession('participant-18');
    await restarted.flush();

    expect(closes(rig).map((request) => request.path)).toEqual([
      `/api/v1/sessions/${crashed.sessionId}/close`,
    ]);
  });

  it('startPlay() closes the play a crash left open and opens one in the same session', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig);

    const restarted = rig.client({ instanceId });
    const play = await restarted.startPlay();
    await restarted.flush();

    expect(play.id).not.toBe(crashed.playId);
    expect(restarted.sessionId).toBe(crashed.sessionId);
    expect(closes(rig).map((request) => [request.path, request.body])).toEqual([
      [`/api/v1/play-sessions/${crashed.playId}/close`, { last_sequence: 2 }],
    ]);
  });

  it('still refuses a second startSession() or startPlay() for what this run opened', async () => {
    const rig = makeRig();
    await crashedRun(rig);

    const restarted = rig.client({ instanceId });
    await startPlaying(restarted);

    await expect(restarted.startPlay()).rejects.toThrow('A play is already open');
    await expect(restarted.startSession('participant-19')).rejects.toThrow(
      'A session is already open',
    );
  });

  it('refuses startSession() while a play this run opened in a restored session is open', async () => {
    const rig = makeRig();
    await crashedRun(rig);

    const restarted = rig.client({ instanceId });
    await restarted.startPlay();

    await expect(restarted.startSession('participant-19')).rejects.toThrow(
      'A session is already open',
    );
    await restarted.closePlay();
    await restarted.startSession('participant-19');
    expect(closes(rig).map((request) => request.path)).toHaveLength(3);
  });

  it('keeps the closes stored while the server is unreachable, and sends them after the events', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig);
    const restarted = rig.client({ instanceId, retry: { maxAttempts: 1 }, heartbeatMs: 1e12 });
    rig.server.answerNext('/events/batch', 'network_error');

    await restarted.startSession('participant-18');
    await settle();
    expect(rig.errors).toEqual([expect.objectContaining({ code: 'network_error' })]);
    expect(closes(rig)).toEqual([]);

    // It crashes too; the next run finds both the events and the closes.
    const third = rig.client({ instanceId });
    await third.flush();

    expect([...rig.server.stored.keys()]).toEqual(crashed.ids);
    expect(closes(rig).map((request) => [request.path, request.body])).toEqual([
      [`/api/v1/play-sessions/${crashed.playId}/close`, { last_sequence: 2 }],
      [`/api/v1/sessions/${crashed.sessionId}/close`, {}],
    ]);
  });

  it('delivers the events when a close fails, reports it, and sends the close again later', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig);
    const restarted = rig.client({ instanceId, retry: { maxAttempts: 1 } });
    const playClose = `/api/v1/play-sessions/${crashed.playId}/close`;
    rig.server.answerNext(playClose, 'network_error');

    await restarted.startSession('participant-18');
    await settle();
    expect([...rig.server.stored.keys()]).toEqual(crashed.ids);
    expect(rig.errors).toEqual([expect.objectContaining({ code: 'network_error' })]);
    expect(closes(rig)).toHaveLength(1);

    await restarted.flush();
    expect(closes(rig).map((request) => request.path)).toEqual([
      playClose,
      playClose,
      `/api/v1/sessions/${crashed.sessionId}/close`,
    ]);
  });

  it('drops and reports a close the server refuses for good, and goes on', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig);
    const restarted = rig.client({ instanceId });
    const gone = errorBody('not_found', false);
    rig.server.answerNext(`/play-sessions/${crashed.playId}/close`, { status: 404, body: gone });

    await restarted.startSession('participant-18');
    await restarted.flush();
    await restarted.flush();

    expect(rig.errors).toEqual([expect.objectContaining({ status: 404 })]);
    expect(closes(rig).map((request) => request.path)).toEqual([
      `/api/v1/play-sessions/${crashed.playId}/close`,
      `/api/v1/sessions/${crashed.sessionId}/close`,
    ]);
  });

  it('continues the restored play when the game checks playSessionId first', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig);

    const restarted = rig.client({ instanceId });
    if (restarted.playSessionId === undefined) await startPlaying(restarted);
    restarted.log(EventType.CORRECT_RESPONSE, { magnitude: 300 });
    await restarted.flush();

    expect(restarted.playSessionId).toBe(crashed.playId);
    expect(rig.server.batches.flat().map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(closes(rig)).toEqual([]);
  });

  it('hands unsent closes to the instance that adopts a released queue', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig);
    const restarted = rig.client({ instanceId, retry: { maxAttempts: 1 } });
    rig.server.answerNext('/events/batch', 'network_error', 'network_error');
    await restarted.startSession('participant-18');
    await restarted.close();
    expect(closes(rig)).toEqual([]);

    const adopter = rig.client();
    await adopter.flush();

    expect([...rig.server.stored.keys()]).toEqual(crashed.ids);
    expect(closes(rig).map((request) => request.path)).toEqual([
      `/api/v1/play-sessions/${crashed.playId}/close`,
      `/api/v1/sessions/${crashed.sessionId}/close`,
    ]);
  });

  it('sends an adopted close only after the events of its play, adopted during a flush', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig);
    const live = rig.client({ heartbeatMs: 10_000 });
    await startPlaying(live);
    live.log(EventType.TASK_START);
    const restarted = rig.client({ instanceId, retry: { maxAttempts: 1 } });
    rig.server.answerNext('/events/batch', 'network_error', 'network_error');
    await restarted.startSession('participant-18');
    await restarted.close();

    rig.server.hold();
    const flushing = live.flush();
    await settle();
    rig.clock.advance(10_000); // a heartbeat: the released queue is adopted mid-flush
    rig.server.release();
    await flushing;
    await live.flush();

    const sent = lastBatchOf(rig, crashed.playId);
    const playClosed = indexOfRequest(rig, `/api/v1/play-sessions/${crashed.playId}/close`);
    expect([...rig.server.stored.keys()]).toEqual(expect.arrayContaining(crashed.ids));
    expect(playClosed).toBeGreaterThan(sent);
  });

  it('reads a queue stored by an SDK that did not queue closes yet', async () => {
    const rig = makeRig();
    const crashed = await crashedRun(rig);
    const key = `webtics:${instanceId}`;
    const meta = JSON.parse(rig.storage.getItem(key)!) as { state: Record<string, unknown> };
    delete meta.state.closes;
    rig.storage.setItem(key, JSON.stringify(meta));

    const restarted = rig.client({ instanceId });
    await restarted.startSession('participant-18');
    await restarted.flush();

    expect([...rig.server.stored.keys()]).toEqual(crashed.ids);
    expect(closes(rig).map((request) => request.path)).toEqual([
      `/api/v1/play-sessions/${crashed.playId}/close`,
      `/api/v1/sessions/${crashed.sessionId}/close`,
    ]);
    expect(rig.errors).toEqual([]);
  });
});
