import { describe, expect, it } from 'vitest';

import { EventType, WebTicsError } from '../../../sdk/web/src/webtics.js';
import { errorBody } from './support/fake-server.js';
import { makeRig, settle, startPlaying } from './support/rig.js';

describe('events the server refuses for good', () => {
  it('drops events listed in rejected, reports them with the reason, and never resends them', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.rejectWhen = (event) =>
      event.event_type === 103 ? { field: 'magnitude', rule: 'range' } : undefined;

    client.log(EventType.TASK_START);
    const bad = client.log(EventType.INCORRECT_RESPONSE, { magnitude: 99_999 });
    client.log(EventType.TRIAL_START);
    await client.flush();
    client.log(EventType.TASK_COMPLETE, { magnitude: 50 });
    await client.flush();

    expect(rig.rejected).toHaveLength(1);
    expect(rig.rejected[0]).toMatchObject({
      event: { client_event_id: bad, sequence: 2 },
      playSessionId: client.playSessionId,
      field: 'magnitude',
      rule: 'range',
      message: 'magnitude breaks range',
    });
    const sent = rig.server.batches.map((batch) => batch.map((event) => event.sequence));
    expect(sent).toEqual([[1, 2, 3], [4]]);
    expect(client.pendingEvents).toBe(0);
  });

  it('drops a whole batch refused with another 4xx, and reports it', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.answerNext('/events/batch', {
      status: 400,
      body: errorBody('invalid_field', false, { field: 'body', rule: 'type' }),
    });

    client.log(EventType.TASK_START);
    client.log(EventType.TRIAL_START);
    await client.flush();
    await client.flush();

    expect(rig.server.batches).toHaveLength(1);
    expect(rig.rejected.map((rejection) => rejection.rule)).toEqual(['type', 'type']);
  });
});

describe('413: too large', () => {
  it('sends the halves of a batch the server found too large', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.answerNext('/events/batch', { status: 413, body: errorBody('too_large', false) });

    for (let i = 0; i < 5; i++) client.log(EventType.TRIAL_START);
    await client.flush();

    expect(rig.server.batches.map((batch) => batch.length)).toEqual([5, 3, 2]);
    expect(rig.server.stored.size).toBe(5);
    expect(rig.rejected).toEqual([]);
  });

  it('drops and reports a single event that is too large on its own', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    const tooLarge = { status: 413, body: errorBody('too_large', false) };
    rig.server.answerNext('/events/batch', tooLarge, tooLarge);

    client.log(EventType.TRIAL_START, { data: { huge: 'x' } });
    client.log(EventType.TRIAL_START);
    await client.flush();

    expect(rig.server.batches.map((batch) => batch.length)).toEqual([2, 1, 1]);
    expect(rig.rejected).toHaveLength(1);
    expect(rig.rejected[0]).toMatchObject({ rule: 'too_large', event: { sequence: 1 } });
    expect(rig.server.stored.size).toBe(1);
  });
});

describe('401 and 403: the key is refused', () => {
  it('pauses sending, keeps the events stored and reports the error', async () => {
    const rig = makeRig();
    const client = rig.client({ batchSize: 2 });
    await startPlaying(client);
    rig.server.answerNext('/events/batch', { status: 401, body: errorBody('unauthorized', false) });

    client.log(EventType.TASK_START);
    client.log(EventType.TRIAL_START);
    await settle();

    expect(rig.errors).toHaveLength(1);
    expect(client.paused?.status).toBe(401);
    expect(client.pendingEvents).toBe(2);
    const stored = rig.client({ instanceId: client.instanceId });
    expect(stored.pendingEvents).toBe(2);

    client.log(EventType.TRIAL_START);
    client.log(EventType.TRIAL_START);
    await settle();
    await expect(client.flush()).rejects.toMatchObject({ status: 401 });
    expect(rig.server.batches).toHaveLength(1);
  });

  it('sends again, with the same events and a new key, after resumeSending', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.answerNext('/events/batch', { status: 403, body: errorBody('forbidden', false) });

    const id = client.log(EventType.TASK_START);
    await expect(client.flush()).rejects.toBeInstanceOf(WebTicsError);
    client.resumeSending('wt_new_key');
    await settle();

    const [first, second] = rig.server.requests.filter((r) => r.path.includes('/events/batch'));
    expect(first!.headers['x-api-key']).toBe('wt_test_key');
    expect(second!.headers['x-api-key']).toBe('wt_new_key');
    expect(rig.server.stored.has(id)).toBe(true);
    expect(client.paused).toBeUndefined();
  });
});

describe('404: the play session is gone', () => {
  it("drops that play session's events, reports them, and keeps other plays' events", async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    const gonePlay = client.playSessionId;
    client.log(EventType.TASK_START);
    client.log(EventType.TRIAL_START);
    rig.server.answerNext('/events/batch', {
      status: 404,
      body: errorBody('not_found', false),
    });
    rig.server.hold();
    const flushing = client.flush();
    await settle();
    client.log(EventType.TRIAL_START);
    rig.server.release();
    await flushing;

    await client.closePlay();
    await client.startPlay();
    client.log(EventType.TASK_START);
    await client.flush();

    expect(rig.rejected.map((r) => [r.playSessionId, r.event.sequence, r.rule])).toEqual([
      [gonePlay, 1, 'not_found'],
      [gonePlay, 2, 'not_found'],
      [gonePlay, 3, 'not_found'],
    ]);
    expect(rig.server.batches).toHaveLength(2);
    expect(rig.server.batches[1]![0]!.sequence).toBe(1);
    expect(client.pendingEvents).toBe(0);
  });
});
