import { describe, expect, it } from 'vitest';

import { actionFor } from '../../../sdk/web/src/webtics-error.js';
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

  it('halves a batch refused whole with a 400 until only the offending event is dropped', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.refuseWholeWhen = (event) =>
      event.data?.poison === true ? { field: 'data.note', rule: 'no_nul' } : undefined;

    for (let i = 1; i <= 5; i++) client.log(EventType.TRIAL_START, { data: { poison: i === 4 } });
    await client.flush();

    const sent = rig.server.batches.map((batch) => batch.map((event) => event.sequence));
    expect(sent).toEqual([[1, 2, 3, 4, 5], [1, 2, 3], [4, 5], [4], [5]]);
    expect([...rig.server.stored.values()].map((event) => event.sequence)).toEqual([1, 2, 3, 5]);
    expect(rig.rejected).toHaveLength(1);
    expect(rig.rejected[0]).toMatchObject({
      event: { sequence: 4 },
      field: 'data.note',
      rule: 'no_nul',
      message: 'invalid_field happened',
    });
    expect(client.pendingEvents).toBe(0);
  });

  it('drops a single event refused with a 400, and never resends it', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.answerNext('/events/batch', {
      status: 400,
      body: errorBody('invalid_field', false, { field: 'data', rule: 'max_depth' }),
    });

    client.log(EventType.TRIAL_START);
    await client.flush();
    await client.flush();

    expect(rig.server.batches).toHaveLength(1);
    expect(rig.rejected.map((r) => [r.event.sequence, r.field, r.rule])).toEqual([
      [1, 'data', 'max_depth'],
    ]);
  });

  it('does not halve a batch whose 400 names the X-Client-Sent-At header: no half would fare better', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.answerNext('/events/batch', {
      status: 400,
      body: errorBody('invalid_field', false, { field: 'X-Client-Sent-At', rule: 'iso8601' }),
    });

    client.log(EventType.TASK_START);
    client.log(EventType.TRIAL_START);
    await client.flush();

    expect(rig.server.batches).toHaveLength(1);
    expect(rig.rejected.map((rejection) => rejection.rule)).toEqual(['iso8601', 'iso8601']);
  });
});

describe("answers that are not the server's: a proxy's error page", () => {
  const page = (status: number) => ({
    status,
    headers: { 'content-type': 'text/html' },
    text: `<html><body><h1>${status}</h1>nginx</body></html>`,
  });

  it.each([404, 400, 422])(
    'retries a batch answered %i with a page, and drops nothing',
    async (status) => {
      const rig = makeRig();
      const client = rig.client();
      await startPlaying(client);
      rig.server.answerNext('/events/batch', page(status), page(status));

      client.log(EventType.TASK_START);
      client.log(EventType.TRIAL_START);
      await client.flush();

      expect(rig.server.batches).toHaveLength(3);
      expect(rig.server.stored.size).toBe(2);
      expect(rig.rejected).toEqual([]);
    },
  );

  it('keeps the events queued when the page answers every attempt, and reports the failure', async () => {
    const rig = makeRig();
    const client = rig.client({ retry: { maxAttempts: 2 } });
    await startPlaying(client);
    rig.server.answerNext('/events/batch', page(404), page(404));

    client.log(EventType.TASK_START);
    await expect(client.flush()).rejects.toMatchObject({
      status: 404,
      code: 'http_error',
      retryable: true,
      details: { foreign: true },
    });

    expect(client.pendingEvents).toBe(1);
    expect(rig.rejected).toEqual([]);
    await client.flush();
    expect(rig.server.stored.size).toBe(1);
  });

  it('counts JSON without error.code as foreign too, and a 200 that is no batch result', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.answerNext(
      '/events/batch',
      { status: 404, body: { message: 'Not Found' } },
      { status: 400, body: { error: 'Bad Request' } },
      { status: 404, body: { error: { message: 'no route' } } },
      { status: 200, body: { ok: true } },
    );

    client.log(EventType.TASK_START);
    await client.flush();

    expect(rig.server.batches).toHaveLength(5);
    expect(rig.server.stored.size).toBe(1);
    expect(rig.rejected).toEqual([]);
  });

  it("counts a gateway's JSON with error.code but no request id as foreign: the play is not dropped", async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    const noSuchKey = { error: { code: 'NoSuchKey', message: 'The key does not exist' } };
    rig.server.answerNext('/events/batch', { status: 404, body: noSuchKey });

    client.log(EventType.TASK_START);
    client.log(EventType.TRIAL_START);
    await client.flush();

    expect(rig.server.batches).toHaveLength(2);
    expect(rig.server.stored.size).toBe(2);
    expect(rig.rejected).toEqual([]);
  });

  it('trusts an error body whose request id comes only in the X-Request-Id header', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    const body = { error: { code: 'not_found', message: 'no such play', retryable: false } };
    const headers = { 'x-request-id': 'req-7' };
    rig.server.answerNext('/events/batch', { status: 404, body, headers });

    client.log(EventType.TASK_START);
    await client.flush();

    expect(rig.server.batches).toHaveLength(1);
    expect(rig.rejected.map((r) => r.rule)).toEqual(['not_found']);
  });

  it('keeps a queued close whose answer is a page, and sends it again', async () => {
    const rig = makeRig();
    const crashed = rig.client({ instanceId: 'station-3', heartbeatMs: 1e12 });
    await startPlaying(crashed);
    const playClose = `/api/v1/play-sessions/${crashed.playSessionId}/close`;
    const restarted = rig.client({ instanceId: 'station-3', retry: { maxAttempts: 1 } });
    rig.server.answerNext(playClose, page(404));

    await restarted.startSession('player-2');
    await settle();
    await restarted.flush();

    const closes = rig.server.requests.filter((r) => r.path.endsWith('/close'));
    expect(closes.map((r) => r.path)).toEqual([
      playClose,
      playClose,
      `/api/v1/sessions/${crashed.sessionId}/close`,
    ]);
    expect(rig.errors).toEqual([expect.objectContaining({ status: 404, retryable: true })]);
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

describe("413 from a proxy: a limit that is not the server's", () => {
  const page = { status: 413, text: '<html><h1>413 Request Entity Too Large</h1></html>' };

  it('splits on it, but keeps a single event it refuses queued, and sends it later', async () => {
    const rig = makeRig();
    const client = rig.client({ flushIntervalMs: 1000 });
    await startPlaying(client);
    rig.server.answerNext('/events/batch', page, page);

    client.log(EventType.TRIAL_START, { data: { big: 'x'.repeat(5000) } });
    client.log(EventType.TRIAL_START);
    await expect(client.flush()).rejects.toMatchObject({ status: 413, details: { foreign: true } });

    expect(rig.server.batches.map((batch) => batch.length)).toEqual([2, 1]);
    expect(rig.rejected).toEqual([]);
    expect(client.pendingEvents).toBe(2);
    rig.clock.advance(2000);
    await settle();
    expect(rig.server.stored.size).toBe(2);
    expect(client.pendingEvents).toBe(0);
  });

  it('keeps a queued close it refuses, and sends it again', async () => {
    const rig = makeRig();
    const crashed = rig.client({ instanceId: 'station-3', heartbeatMs: 1e12 });
    await startPlaying(crashed);
    const playClose = `/api/v1/play-sessions/${crashed.playSessionId}/close`;
    const restarted = rig.client({ instanceId: 'station-3', retry: { maxAttempts: 1 } });
    rig.server.answerNext(playClose, page);

    await restarted.startSession('player-2');
    await settle();
    await restarted.flush();

    const closes = rig.server.requests.filter((r) => r.path === playClose);
    expect(closes).toHaveLength(2);
    expect(rig.errors).toEqual([expect.objectContaining({ status: 413 })]);
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

describe('which action an answer calls for', () => {
  it('splits on 413 and pauses on 401 or 403 whoever answered, and retries other foreign 4xx', () => {
    expect(actionFor(413, false, false)).toBe('split');
    expect(actionFor(401, false, false)).toBe('pause');
    expect(actionFor(403, false, false)).toBe('pause');
    expect(actionFor(404, false, false)).toBe('retry');
    expect(actionFor(400, false, false)).toBe('retry');
    expect(actionFor(404, false)).toBe('gone');
    expect(actionFor(400, false)).toBe('refuse');
  });
});
