import { describe, expect, expectTypeOf, it } from 'vitest';

import { EventType } from '../../../sdk/web/src/webtics.js';
import { errorBody } from './support/fake-server.js';
import { makeRig, startPlaying } from './support/rig.js';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('what each event carries', () => {
  it('numbers events 1, 2, 3 in the order of logging, with unique UUIDs', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);

    const ids = [
      client.log(EventType.TASK_START),
      client.log(EventType.TRIAL_START, { x: 1, y: 2 }),
      client.log(EventType.CORRECT_RESPONSE, { magnitude: 300 }),
    ];
    await client.flush();

    const [batch] = rig.server.batches;
    expect(batch!.map((event) => event.sequence)).toEqual([1, 2, 3]);
    expect(batch!.map((event) => event.client_event_id)).toEqual(ids);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(uuid);
  });

  it('measures monotonic_ms from startPlay on the monotonic clock, not the wall clock', async () => {
    const rig = makeRig();
    const client = rig.client();
    await client.startSession('player-1');
    rig.clock.advance(5000);
    await client.startPlay();

    rig.clock.advance(250.5);
    client.log(EventType.TASK_START);
    rig.clock.wallOffsetMs = -86_400_000; // the wall clock jumps back a day
    rig.clock.advance(100);
    client.log(EventType.TRIAL_START);
    client.log(EventType.CORRECT_RESPONSE, { magnitude: 80, monotonicAt: 5300 });
    await client.flush();

    expect(rig.server.batches[0]!.map((event) => event.monotonic_ms)).toEqual([250.5, 350.5, 300]);
  });

  it('stamps the wall clock of the device as timestamp, however wrong it is', async () => {
    const rig = makeRig();
    rig.clock.wallOffsetMs = 3_600_000;
    const client = rig.client();
    await startPlaying(client);

    client.log(EventType.TASK_START);
    client.log(EventType.TASK_SCORE, { magnitude: 50, at: new Date('2026-01-02T03:04:05.000Z') });
    await client.flush();

    const [first, second] = rig.server.batches[0]!;
    expect(first!.timestamp).toBe(rig.clock.now().toISOString());
    expect(first!.timestamp).toBe('2026-03-01T13:00:00.000Z');
    expect(second!.timestamp).toBe('2026-01-02T03:04:05.000Z');
  });

  it('sends X-Client-Sent-At with the wall clock of each attempt, anew on a retry', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.answerNext('/events/batch', {
      status: 503,
      headers: { 'retry-after': '2' },
      body: errorBody('database_unavailable', true),
    });

    client.log(EventType.TASK_START);
    await client.flush();

    const sends = rig.server.requests.filter((request) => request.path.includes('/events/batch'));
    const sentAt = sends.map((request) => request.headers['x-client-sent-at']);
    expect(sentAt).toHaveLength(2);
    expect(Date.parse(sentAt[1]!) - Date.parse(sentAt[0]!)).toBeGreaterThanOrEqual(2000);
    expect(sends[1]!.body).toEqual(sends[0]!.body);
  });

  it('leaves X-Client-Sent-At off the session requests', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);

    for (const request of rig.server.requests) {
      expect(request.headers['x-client-sent-at']).toBeUndefined();
    }
  });

  it('sends only the wire fields, never a stray property', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);

    const fields = { magnitude: 5, colour: 'red' } as { magnitude: number };
    client.log(EventType.TASK_SCORE, fields);
    await client.flush();

    expect(Object.keys(rig.server.batches[0]![0]!).sort()).toEqual([
      'client_event_id',
      'event_type',
      'magnitude',
      'monotonic_ms',
      'sequence',
      'timestamp',
    ]);
  });

  it('refuses at once an event type outside 0–999, and logging before a play', async () => {
    const rig = makeRig();
    const client = rig.client();

    expect(() => client.log(EventType.TASK_START)).toThrow(/Start a play/);
    await startPlaying(client);
    expect(() => client.log(1000)).toThrow(RangeError);
    expect(() => client.log(2.5)).toThrow(RangeError);
  });

  it('needs a magnitude for types 102–105 at compile time', () => {
    // Never called: the compiler's verdict is the test (npm run typecheck).
    const compileOnly = (client: ReturnType<ReturnType<typeof makeRig>['client']>) => {
      // @ts-expect-error a reaction time is required
      client.log(EventType.CORRECT_RESPONSE);
      // @ts-expect-error a reaction time is required
      client.log(EventType.INCORRECT_RESPONSE, { x: 3 });
      // @ts-expect-error an accuracy is required
      client.log(104, {});
      client.log(EventType.TASK_SCORE, { magnitude: 80 });
      client.log(EventType.RESPONSE_TIMEOUT);
      const someType: number = 102;
      client.log(someType);
    };
    expect(compileOnly).toBeTypeOf('function');
  });
});

describe('closing a play', () => {
  it('sends last_sequence: the highest sequence number given out', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    const playId = client.playSessionId;

    client.log(EventType.TASK_START);
    client.log(EventType.TASK_COMPLETE, { magnitude: 90 });
    await client.closePlay();

    const close = rig.server.requests.at(-1)!;
    expect(close.path).toBe(`/api/v1/play-sessions/${playId}/close`);
    expect(close.body).toEqual({ last_sequence: 2 });
    expect(rig.server.stored.size).toBe(2);
    expect(client.playSessionId).toBeUndefined();
  });

  it('closes an empty play with last_sequence 0, and the next play counts from 1 again', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    await client.closePlay();
    expect(rig.server.requests.at(-1)!.body).toEqual({ last_sequence: 0 });

    await client.startPlay();
    client.log(EventType.TASK_START);
    await client.flush();
    expect(rig.server.batches[0]![0]!.sequence).toBe(1);
  });

  it('asks for the completeness of the open play, or of the last one once closed', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    const playId = client.playSessionId;

    await client.completeness();
    await client.endSession();
    const report = await client.completeness();

    const asked = rig.server.requests.filter((request) => request.path.endsWith('/completeness'));
    expect(asked.map((request) => [request.method, request.path])).toEqual([
      ['GET', `/api/v1/play-sessions/${playId}/completeness`],
      ['GET', `/api/v1/play-sessions/${playId}/completeness`],
    ]);
    expect(asked[0]!.headers['x-api-key']).toBe('wt_test_key');
    expect(report.play_session_id).toBe(playId);
  });

  it('passes on beyond_expected: events numbered after the close named the last', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.answerNext('/completeness', {
      status: 200,
      body: { play_session_id: client.playSessionId, beyond_expected: 2, complete: false },
    });

    const report = await client.completeness();

    expectTypeOf(report).toHaveProperty('beyond_expected').toEqualTypeOf<number>();
    expect(report.beyond_expected).toBe(2);
  });
});
