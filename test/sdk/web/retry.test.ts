import { describe, expect, it } from 'vitest';

import {
  defaultRetryPolicy,
  EventType,
  retryDelay,
  WebTicsError,
} from '../../../sdk/web/src/webtics.js';
import { errorBody } from './support/fake-server.js';
import { makeRig, settle, startPlaying } from './support/rig.js';

const policy = { ...defaultRetryPolicy, baseDelayMs: 500, maxDelayMs: 3000 };
const busy = (retryAfter: string) => ({
  status: 503,
  headers: { 'retry-after': retryAfter },
  body: errorBody('database_unavailable', true),
});

describe('backoff with full jitter', () => {
  it('waits between 0 and a ceiling that doubles from baseDelayMs up to maxDelayMs', () => {
    const ceilings = [500, 1000, 2000, 3000, 3000];
    ceilings.forEach((ceiling, i) => {
      expect(retryDelay(i + 1, policy, () => 0)).toBe(0);
      expect(retryDelay(i + 1, policy, () => 0.999_999)).toBeCloseTo(ceiling, 0);
      expect(retryDelay(i + 1, policy, () => 0.5)).toBe(ceiling / 2);
    });
  });

  it('adds the jitter on top of Retry-After, which is a floor', () => {
    expect(retryDelay(1, policy, () => 0, 4000)).toBe(4000);
    expect(retryDelay(3, policy, () => 0.999_999, 4000)).toBeCloseTo(6000, 0);
  });

  it('spreads the waits it actually takes across the jitter range', async () => {
    const rig = makeRig();
    const client = rig.client({ retry: { maxAttempts: 4, baseDelayMs: 100 } });
    await startPlaying(client);
    const failure = { status: 500, body: errorBody('internal_error', false) };
    rig.server.answerNext('/events/batch', failure, failure, failure);
    rig.clock.draws.push(0.1, 0.9, 0.4);

    client.log(EventType.TASK_START);
    await client.flush();

    expect(rig.clock.sleeps).toEqual([10, 180, 160]);
    expect(rig.server.stored.size).toBe(1);
  });
});

describe('retrying', () => {
  it('waits at least Retry-After seconds after a 503, then resends the same events', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.answerNext('/events/batch', busy('3'));

    client.log(EventType.TASK_START);
    client.log(EventType.TRIAL_START);
    await client.flush();

    expect(rig.clock.sleeps).toHaveLength(1);
    expect(rig.clock.sleeps[0]).toBeGreaterThanOrEqual(3000);
    const [first, second] = rig.server.batches;
    expect(second).toEqual(first);
    expect(rig.server.stored.size).toBe(2);
  });

  it('honours Retry-After on a 429 as well', async () => {
    const rig = makeRig();
    const client = rig.client();
    await startPlaying(client);
    rig.server.answerNext('/events/batch', {
      status: 429,
      headers: { 'retry-after': '7' },
      body: errorBody('rate_limited', true),
    });

    client.log(EventType.TASK_START);
    await client.flush();

    expect(rig.clock.sleeps[0]).toBeGreaterThanOrEqual(7000);
    expect(rig.server.stored.size).toBe(1);
  });

  it('retries 500, 502, 504 and network failures, whatever the body says', async () => {
    const rig = makeRig();
    const client = rig.client({ retry: { maxAttempts: 5 } });
    await startPlaying(client);
    rig.server.answerNext(
      '/events/batch',
      { status: 500, body: errorBody('internal_error', false) },
      { status: 502 },
      'network_error',
      { status: 504 },
    );

    client.log(EventType.TASK_START);
    await client.flush();

    expect(rig.server.batches).toHaveLength(5);
    expect(new Set(rig.server.batches.map((batch) => batch[0]!.client_event_id)).size).toBe(1);
    expect(rig.server.stored.size).toBe(1);
  });

  it('gives up after maxAttempts; the events stay queued and the next flush resends them', async () => {
    const rig = makeRig();
    const client = rig.client({ retry: { maxAttempts: 2 } });
    await startPlaying(client);
    rig.server.answerNext('/events/batch', 'network_error', 'network_error');

    const id = client.log(EventType.TASK_START);
    await expect(client.flush()).rejects.toMatchObject({ code: 'network_error' });
    expect(rig.server.batches).toHaveLength(2);
    expect(client.pendingEvents).toBe(1);

    await client.flush();
    expect(rig.server.batches).toHaveLength(3);
    expect(rig.server.stored.has(id)).toBe(true);
    expect(client.pendingEvents).toBe(0);
  });

  it('tries a failed flush again by itself, with growing pauses', async () => {
    const rig = makeRig();
    const client = rig.client({ flushIntervalMs: 1000, retry: { maxAttempts: 1 } });
    await startPlaying(client);
    rig.server.answerNext('/events/batch', 'network_error', 'network_error');

    client.log(EventType.TASK_START);
    await expect(client.flush()).rejects.toThrow();
    rig.clock.advance(2000); // 1000 · 2¹
    await settle();
    expect(rig.server.batches).toHaveLength(2);

    rig.clock.advance(3999); // 1000 · 2², less a millisecond
    await settle();
    expect(rig.server.batches).toHaveLength(2);
    rig.clock.advance(1);
    await settle();
    expect(rig.server.batches).toHaveLength(3);
    expect(client.pendingEvents).toBe(0);
  });

  it('does not sit out a Retry-After longer than maxRetryAfterMs, and keeps the events', async () => {
    const rig = makeRig();
    const client = rig.client({ retry: { maxRetryAfterMs: 10_000 } });
    await startPlaying(client);
    rig.server.answerNext('/events/batch', busy('600'));

    client.log(EventType.TASK_START);
    await expect(client.flush()).rejects.toBeInstanceOf(WebTicsError);

    expect(rig.clock.sleeps).toEqual([]);
    expect(client.pendingEvents).toBe(1);
  });

  it('after a failed timed flush, tries again later, no sooner than Retry-After', async () => {
    const rig = makeRig();
    const client = rig.client({ flushIntervalMs: 1000, retry: { maxRetryAfterMs: 10_000 } });
    await startPlaying(client);
    rig.server.answerNext('/events/batch', busy('120'));

    client.log(EventType.TASK_START);
    rig.clock.advance(1000);
    await settle();
    expect(rig.server.batches).toHaveLength(1);
    expect(rig.errors).toHaveLength(1);

    rig.clock.advance(119_000);
    await settle();
    expect(rig.server.batches).toHaveLength(1);
    rig.clock.advance(1000);
    await settle();
    expect(rig.server.batches).toHaveLength(2);
    expect(client.pendingEvents).toBe(0);
  });

  it('cuts an attempt that gets no answer within requestTimeoutMs', async () => {
    const rig = makeRig();
    let attempts = 0;
    const hanging: typeof fetch = (input, init) => {
      if (!(input as string).includes('/events/batch') || ++attempts > 1) {
        return rig.server.fetch(input, init);
      }
      return new Promise((_resolve, reject) =>
        init!.signal!.addEventListener('abort', () => reject(new Error('aborted'))),
      );
    };
    const client = rig.client({ fetch: hanging, requestTimeoutMs: 2000 });
    await startPlaying(client);

    client.log(EventType.TASK_START);
    const flushed = client.flush();
    await settle();
    rig.clock.advance(2000);
    await flushed;

    expect(attempts).toBe(2);
    expect(client.pendingEvents).toBe(0);
  });
});
