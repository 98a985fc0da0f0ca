import { existsSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  closePlay,
  createClient,
  flush,
  launchChromium,
  loadSdk,
  logTrials,
  openSdkPage,
  pendingEvents,
  startPlay,
  type PageClientOptions,
  type PageScope,
  type PlayIds,
} from './support/browser-page.js';
import { FaultProxy, type SeenRequest } from './support/fault-proxy.js';
import {
  completeness,
  sessionEvents,
  startSdkServer,
  type SdkServer,
  type ServerEvent,
} from './support/sdk-server.js';

const batchPath = '/api/v1/events/batch';
const hourMs = 3_600_000;

describe('web SDK in Chromium against a real server, through a faulty network', () => {
  let server: SdkServer;
  let browser: Browser;
  let proxy: FaultProxy;
  let context: BrowserContext;

  beforeAll(async () => {
    if (!existsSync('dist/web/public/sdk/webtics.js')) {
      throw new Error('The SDK is not built; run `npm run build` first');
    }
    [server, browser] = await Promise.all([startSdkServer(), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  // A proxy per test is a new origin too, so no test sees another's localStorage.
  beforeEach(async () => {
    proxy = await new FaultProxy(server.url).start();
    context = await browser.newContext();
  });

  afterEach(async () => {
    await context.close();
    await proxy.stop();
  });

  /** The batch requests the proxy saw for one play session, in order. */
  function batchesOf(playSessionId: number): SeenRequest[] {
    const path = `${batchPath}?play_session_id=${playSessionId}`;
    return proxy.seen.filter((seen) => seen.method === 'POST' && seen.path === path);
  }

  /** Every stored event of a play, checked to be exactly the logged ones, each once. */
  async function expectStoredOnce(ids: PlayIds, logged: string[]): Promise<ServerEvent[]> {
    const all = await sessionEvents(server, ids.sessionId);
    const events = all.filter((event) => event.play_session_id === ids.playSessionId);

    const stored = events.map((event) => event.client_event_id);
    expect(stored).toHaveLength(logged.length);
    expect(new Set(stored)).toEqual(new Set(logged));
    const sequences = events.map((event) => event.sequence ?? 0).sort((a, b) => a - b);
    expect(sequences).toEqual(numbersTo(logged.length));
    return events;
  }

  async function expectComplete(playSessionId: number, received: number, extra: object = {}) {
    const report = await completeness(server, playSessionId);
    expect(report).toMatchObject({
      closed: true,
      received,
      expected_last_sequence: received,
      repeated_sequences: [],
      missing_count: 0,
      missing: [],
      complete: true,
      ...extra,
    });
  }

  /** A client in a new tab of this test's context, with its play open. */
  async function tabWithPlay(
    namespace: string,
    extra: { batchSize?: number; maxAttempts?: number } = {},
  ) {
    const page = await openSdkPage(context, proxy.url);
    const options = { name: 'game', apiKey: server.ingestKey, storageNamespace: namespace };
    await createClient(page, { ...options, flushIntervalMs: 60_000, ...extra });
    const ids = await startPlay(page, 'game', `player-${namespace}`);
    return { page, ids };
  }

  // Chromium itself resends a request whose kept-alive connection died
  // before the answer, with the same headers, once per idle connection it
  // has (at most six per host). Each fault is applied more often than that,
  // so the SDK must see the failure and send again itself, with a new
  // X-Client-Sent-At.
  it('stores each event once when one batch is cut after the server and one before', async () => {
    const cuts = 8;
    const { page, ids } = await tabWithPlay('cut', { batchSize: 10, maxAttempts: 10 });

    proxy.fail(batchPath, { kind: 'cut-after' }, cuts);
    const first = await logTrials(page, 'game', 10);
    expect(await flush(page, 'game')).toBeUndefined();
    proxy.fail(batchPath, { kind: 'cut-before' }, cuts);
    const rest = await logTrials(page, 'game', 20, { from: 11 });
    expect(await flush(page, 'game')).toBeUndefined();
    expect(await closePlay(page, 'game')).toBe(ids.playSessionId);

    const batches = batchesOf(ids.playSessionId);
    const triesOf = (logged: string[]) =>
      batches.filter((seen) => idsIn(seen).join() === logged.join());
    const [firstTries, secondTries] = [triesOf(first), triesOf(rest.slice(0, 10))];
    const outcomes = (tries: SeenRequest[]) => tries.map((seen) => seen.outcome);
    expect(outcomes(firstTries)).toEqual([...Array<string>(cuts).fill('cut-after'), 'passed']);
    expect(outcomes(secondTries)).toEqual([...Array<string>(cuts).fill('cut-before'), 'passed']);
    expect(outcomes(triesOf(rest.slice(10)))).toEqual(['passed']);
    expect(batches).toHaveLength(2 * cuts + 3);
    for (const tries of [firstTries, secondTries]) {
      // A resend carries the same events: same ids, numbers and times.
      for (const again of tries) expect(eventsIn(again)).toEqual(eventsIn(tries[0]!));
      expect(new Set(tries.map(sentAt)).size).toBeGreaterThan(1);
    }
    await expectStoredOnce(ids, [...first, ...rest]);
    // Every cut-after try but the first, and the try that passed, were duplicates.
    await expectComplete(ids.playSessionId, 30, { duplicates: 10 * cuts, rejected: 0 });
  });

  it('sends events queued offline after a reload, adopted by the new page', async () => {
    const { page, ids } = await tabWithPlay('reload');

    proxy.cutNetwork();
    const logged = await logTrials(page, 'game', 12);
    expect(await flush(page, 'game')).toBe('network_error');
    expect(await pendingEvents(page, 'game')).toBe(12);
    await page.reload();
    proxy.restore();
    await loadSdk(page);
    const options = { name: 'next', apiKey: server.ingestKey, storageNamespace: 'reload' };
    await createClient(page, { ...options, flushIntervalMs: 60_000 });
    expect(await flush(page, 'next')).toBeUndefined();

    expect(await pendingEvents(page, 'next')).toBe(0);
    await expectStoredOnce(ids, logged);
    // The new page adopted the events but not the play: it cannot close it
    // with a last sequence, so the report relies on the highest one received.
    expect(await closePlay(page, 'next')).toBeUndefined();
    expect(await completeness(server, ids.playSessionId)).toMatchObject({
      closed: false,
      received: 12,
      rejected: 0,
      expected_last_sequence: null,
      last_sequence: 12,
      repeated_sequences: [],
      missing_count: 0,
      missing: [],
      complete: false,
    });
  });

  it('carries on and closes the play after a reload with a fixed instance id', async () => {
    const page = await openSdkPage(context, proxy.url);
    const options = {
      name: 'game',
      apiKey: server.ingestKey,
      storageNamespace: 'fixed',
      instanceId: 'game-tab',
      flushIntervalMs: 60_000,
    };
    await createClient(page, options);
    const ids = await startPlay(page, 'game', 'player-fixed');

    proxy.cutNetwork();
    const before = await logTrials(page, 'game', 12);
    expect(await flush(page, 'game')).toBe('network_error');
    await page.reload();
    proxy.restore();
    await loadSdk(page);
    await createClient(page, options);
    const restored = await page.evaluate(
      () => (globalThis as PageScope).webticsTest.clients.game!.playSessionId,
    );
    const after = await logTrials(page, 'game', 3, { from: 13 });
    expect(await closePlay(page, 'game')).toBe(ids.playSessionId);

    expect(restored).toBe(ids.playSessionId);
    await expectStoredOnce(ids, [...before, ...after]);
    await expectComplete(ids.playSessionId, 15, { rejected: 0 });
  });

  it('waits out Retry-After on 429 and 503 before sending the same events again', async () => {
    const { page, ids } = await tabWithPlay('busy', { batchSize: 10 });
    const refusal = (status: number, code: string) => ({
      kind: 'respond' as const,
      status,
      headers: { 'retry-after': '1' },
      body: { error: { code, message: 'try again later', retryable: true } },
    });

    proxy.fail(batchPath, refusal(429, 'rate_limited'));
    const first = await logTrials(page, 'game', 10);
    expect(await flush(page, 'game')).toBeUndefined();
    proxy.fail(batchPath, refusal(503, 'unavailable'));
    const second = await logTrials(page, 'game', 10, { from: 11 });
    expect(await flush(page, 'game')).toBeUndefined();
    expect(await closePlay(page, 'game')).toBe(ids.playSessionId);

    const batches = batchesOf(ids.playSessionId);
    expect(batches.map((seen) => seen.status)).toEqual([429, 200, 503, 200]);
    expect(batches.map((seen) => idsIn(seen))).toEqual([first, first, second, second]);
    expect(batches[1]!.at - batches[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(batches[3]!.at - batches[2]!.at).toBeGreaterThanOrEqual(1000);
    await expectStoredOnce(ids, [...first, ...second]);
    await expectComplete(ids.playSessionId, 20, { duplicates: 0 });
  });

  it('reports an out-of-range event once, never resends it, and stores the rest', async () => {
    const { page, ids } = await tabWithPlay('invalid');

    const logged = await page.evaluate(() => {
      const test = (globalThis as PageScope).webticsTest;
      const { EventType } = test.sdk;
      const client = test.clients.game!;
      return [
        client.log(EventType.TASK_START),
        client.log(EventType.TRIAL_START, { x: 10, y: 20 }),
        // 20 s is outside the 0–10 000 ms a reaction time may take; the type allows it.
        client.log(EventType.CORRECT_RESPONSE, { magnitude: 20_000 }),
        client.log(EventType.CORRECT_RESPONSE, { magnitude: 350 }),
        client.log(EventType.TASK_COMPLETE, { magnitude: 50 }),
      ];
    });
    expect(await flush(page, 'game')).toBeUndefined();
    expect(await flush(page, 'game')).toBeUndefined();
    expect(await closePlay(page, 'game')).toBe(ids.playSessionId);

    const invalid = logged[2]!;
    const reported = await page.evaluate(() => (globalThis as PageScope).webticsTest.rejected);
    expect(reported).toEqual([
      {
        sequence: 3,
        clientEventId: invalid,
        playSessionId: ids.playSessionId,
        field: 'magnitude',
        rule: 'range',
      },
    ]);
    const sent = batchesOf(ids.playSessionId).filter((seen) => idsIn(seen).includes(invalid));
    expect(sent).toHaveLength(1);
    expect(await pendingEvents(page, 'game')).toBe(0);
    const stored = await sessionEvents(server, ids.sessionId);
    expect(stored.map((event) => event.sequence)).toEqual([1, 2, 4, 5]);
    await expectComplete(ids.playSessionId, 4, {
      expected_last_sequence: 5,
      rejected: 1,
      rejected_sequences: [3],
    });
  });

  it('keeps the plays of two tabs of one game apart, each complete', async () => {
    const tabs = await Promise.all(['a', 'b'].map(() => openSdkPage(context, proxy.url)));
    const options = { name: 'game', apiKey: server.ingestKey, storageNamespace: 'tabs' };
    await Promise.all(
      tabs.map((page) => createClient(page, { ...options, batchSize: 10, flushIntervalMs: 200 })),
    );
    const ids = await Promise.all(tabs.map((page, i) => startPlay(page, 'game', `player-${i}`)));

    const logged = await Promise.all(
      tabs.map((page) => logTrials(page, 'game', 45, { pauseEvery: 3 })),
    );
    const closed = await Promise.all(tabs.map((page) => closePlay(page, 'game')));

    expect(closed).toEqual(ids.map((play) => play.playSessionId));
    for (const [i, play] of ids.entries()) {
      await expectStoredOnce(play, logged[i]!);
      await expectComplete(play.playSessionId, 45, { duplicates: 0 });
    }
  });

  it('sends a closed tab’s queue once when two tabs open together', async () => {
    const closing = await tabWithPlay('shared');
    proxy.cutNetwork();
    const logged = await logTrials(closing.page, 'game', 10);
    await closing.page.close({ runBeforeUnload: true });
    // The closing page's last flush must have failed before the network returns.
    await waitUntil(() => batchesOf(closing.ids.playSessionId).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    proxy.restore();

    const tabs = await Promise.all(['a', 'b'].map(() => openSdkPage(context, proxy.url)));
    const options = { name: 'game', apiKey: server.ingestKey, storageNamespace: 'shared' };
    await Promise.all(tabs.map((page) => createClient(page, options)));
    const flushed = await Promise.all(tabs.map((page) => flush(page, 'game')));

    expect(flushed).toEqual([undefined, undefined]);
    await expectStoredOnce(closing.ids, logged);
    expect(await completeness(server, closing.ids.playSessionId)).toMatchObject({
      received: 10,
      duplicates: 0,
      missing_count: 0,
    });
    expect(batchesOf(closing.ids.playSessionId).filter(passed)).toHaveLength(1);
  });

  // Two tabs starting together often overwrite each other's entry in the
  // index. The tab left out is hung offline before its first heartbeat (so
  // it never rejoins the index) and killed; a third tab must still find its
  // queue. Where the race spared both entries, the lost write is made by hand.
  it('sends the queue of a tab that started with another, lost its index entry and hung', async () => {
    const namespace = 'hung';
    const options = { name: 'game', apiKey: server.ingestKey, storageNamespace: namespace };
    const tabs = await Promise.all(['a', 'b'].map(() => openSdkPage(context, proxy.url)));
    await Promise.all(tabs.map((page) => createClient(page, options)));
    await new Promise((resolve) => setTimeout(resolve, 300)); // the tabs' writes cross
    const instanceIds = await Promise.all(
      tabs.map((page) =>
        page.evaluate(() => (globalThis as PageScope).webticsTest.clients.game!.instanceId),
      ),
    );
    const index = await readIndex(tabs[0]!, namespace);
    const victimAt = Math.max(
      0,
      instanceIds.findIndex((id) => !index.includes(id)),
    );
    const [victim, survivor] = [tabs[victimAt]!, tabs[1 - victimAt]!];
    const others = index.filter((id) => id !== instanceIds[victimAt]);
    await survivor.evaluate(
      ({ key, ids }) => (globalThis as LocalStorageScope).localStorage.setItem(key, ids),
      { key: `${namespace}:instances`, ids: JSON.stringify(others) },
    );

    const ids = await startPlay(victim, 'game', 'player-hung');
    proxy.cutNetwork();
    const logged = await logTrials(victim, 'game', 8);
    void victim.evaluate('for (;;) {}').catch(() => undefined);
    await victim.close();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    proxy.restore();

    const next = await openSdkPage(context, proxy.url);
    expect(await readIndex(next, namespace)).not.toContain(instanceIds[victimAt]);
    const adopter: PageClientOptions & { staleAfterMs: number } = {
      ...options,
      name: 'next',
      staleAfterMs: 1000,
    };
    await createClient(next, adopter);
    expect(await flush(next, 'next')).toBeUndefined();

    expect(await pendingEvents(next, 'next')).toBe(0);
    await expectStoredOnce(ids, logged);
    expect(await completeness(server, ids.playSessionId)).toMatchObject({
      received: 8,
      duplicates: 0,
      last_sequence: 8,
      missing_count: 0,
    });
    const left = await next.evaluate(
      (key) => (globalThis as LocalStorageScope).localStorage.getItem(key),
      `${namespace}:${instanceIds[victimAt]}`,
    );
    expect(left).toBeNull();
  });

  it('stores the server-clock time of events from a device an hour ahead', async () => {
    await context.addInitScript(shiftDate, hourMs);
    const { page, ids } = await tabWithPlay('clock');
    const skew = await page.evaluate(() => Date.now() - performance.timeOrigin - performance.now());
    expect(Math.abs(skew - hourMs)).toBeLessThan(1000);

    const logged: { id: string; before: number; after: number }[] = [];
    for (let n = 1; n <= 5; n++) {
      const before = Date.now();
      const [id] = await logTrials(page, 'game', 1, { from: n });
      logged.push({ id: id!, before, after: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const flushStart = Date.now();
    expect(await flush(page, 'game')).toBeUndefined();
    const roundTrip = Date.now() - flushStart;
    expect(await closePlay(page, 'game')).toBe(ids.playSessionId);

    const events = await expectStoredOnce(
      ids,
      logged.map((entry) => entry.id),
    );
    for (const { id, before, after } of logged) {
      const event = events.find((stored) => stored.client_event_id === id)!;
      const corrected = Date.parse(event.corrected_time);
      expect(Date.parse(event.timestamp) - corrected).toBeGreaterThan(hourMs - roundTrip - 5);
      expect(corrected).toBeGreaterThanOrEqual(before - 2);
      expect(corrected).toBeLessThanOrEqual(after + roundTrip + 2);
      expect(event.clock_offset_ms).toBeGreaterThanOrEqual(hourMs - roundTrip - 2);
      expect(event.clock_offset_ms).toBeLessThanOrEqual(hourMs + 2);
    }
    await expectComplete(ids.playSessionId, 5);
  });

  it('sends queued events when the page is hidden', async () => {
    const { page, ids } = await tabWithPlay('hidden');
    const logged = await logTrials(page, 'game', 4);

    // Headless Chromium never hides a page, so the page is told so the way a browser would.
    await page.evaluate(() => {
      const { document } = globalThis as unknown as { document: PageDocument };
      Object.defineProperty(document, 'visibilityState', {
        configurable: true,
        get: () => 'hidden',
      });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await waitForEvents(ids, 4);

    // The server may have stored the batch a moment before the page reads its answer.
    await expect.poll(() => pendingEvents(page, 'game'), { timeout: 10_000 }).toBe(0);
    expect(await closePlay(page, 'game')).toBe(ids.playSessionId);
    await expectStoredOnce(ids, logged);
    await expectComplete(ids.playSessionId, 4);
  });

  it('sends queued events with keepalive as the page closes, and the next visit closes the play', async () => {
    const options = {
      name: 'game',
      apiKey: server.ingestKey,
      storageNamespace: 'leave',
      instanceId: 'leaving-tab',
      flushIntervalMs: 60_000,
    };
    const page = await openSdkPage(context, proxy.url);
    await createClient(page, options);
    const ids = await startPlay(page, 'game', 'player-leave');
    const logged = await logTrials(page, 'game', 5);

    await page.close({ runBeforeUnload: true });
    await waitForEvents(ids, 5);
    const next = await openSdkPage(context, proxy.url);
    await createClient(next, options);
    expect(await closePlay(next, 'game')).toBe(ids.playSessionId);

    await expectStoredOnce(ids, logged);
    await expectComplete(ids.playSessionId, 5);
  });

  it('plays the real game through one 503 and stores every event', async () => {
    const page = await context.newPage();
    proxy.fail(batchPath, {
      kind: 'respond',
      status: 503,
      headers: { 'retry-after': '1' },
      body: { error: { code: 'unavailable', message: 'busy', retryable: true } },
    });

    await page.goto(`${proxy.url}/play/#key=${server.ingestKey}`);
    await page.click('#start');
    await hitTrials(page, 10);
    const result = page.locator('#result[data-status="sent"]');
    await result.waitFor({ timeout: 30_000 });
    const sessionId = Number(await result.getAttribute('data-session-id'));

    const events = await sessionEvents(server, sessionId);
    const plays = new Set(events.map((event) => event.play_session_id));
    expect(plays.size).toBe(1);
    const playSessionId = events[0]!.play_session_id;
    const types = events.map((event) => event.event_type).sort((a, b) => a - b);
    expect(types).toEqual(gameEventTypes());
    const [refused, retried] = batchesOf(playSessionId);
    expect([refused?.status, retried?.status]).toEqual([503, 200]);
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(1000);
    await expectComplete(playSessionId, 22, { duplicates: 0 });
  });

  // The game makes its client when a run starts, so the queue of a reloaded
  // page goes out once the participant starts the next run.
  it('sends the game’s offline trials after a reload, when the next run starts', async () => {
    const page = await context.newPage();
    await page.goto(`${proxy.url}/play/#key=${server.ingestKey}`);
    await page.click('#start');
    await hitTrials(page, 1);
    proxy.cutNetwork();
    await hitTrials(page, 2);
    const sessionId = Number(await page.locator('#result').getAttribute('data-session-id'));
    // Two rounds were logged offline, so they cannot be on the server yet.
    expect((await sessionEvents(server, sessionId)).length).toBeLessThanOrEqual(3);

    await page.reload();
    proxy.restore();
    await page.click('#start');
    await waitForEvents({ sessionId }, 7, 20_000);

    const events = await sessionEvents(server, sessionId);
    const types = events.map((event) => event.event_type).sort((a, b) => a - b);
    expect(types).toEqual([100, 101, 101, 101, 102, 102, 102]);
    const sequences = events.map((event) => event.sequence ?? 0).sort((a, b) => a - b);
    expect(sequences).toEqual(numbersTo(7));
    expect(new Set(events.map((event) => event.play_session_id)).size).toBe(1);
    expect(await completeness(server, events[0]!.play_session_id)).toMatchObject({
      closed: false,
      received: 7,
      last_sequence: 7,
      repeated_sequences: [],
      missing_count: 0,
    });
  });

  /** Waits until a session holds `count` events on the server; fails after `limitMs`. */
  async function waitForEvents(
    ids: { sessionId: number },
    count: number,
    limitMs?: number,
  ): Promise<void> {
    let stored = 0;
    const arrived = async () => {
      stored = (await sessionEvents(server, ids.sessionId)).length;
      return stored >= count;
    };
    await waitUntil(arrived, limitMs).catch(() => {
      throw new Error(`only ${stored} of ${count} events arrived`);
    });
  }
});

/** Polls `done` every 100 ms; rejects after `limitMs`. */
async function waitUntil(done: () => boolean | Promise<boolean>, limitMs = 10_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting after ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The page's global object with its localStorage, as far as these tests use it. */
type LocalStorageScope = typeof globalThis & {
  localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
};

/** The SDK's index of instances, as the page sees it. */
async function readIndex(page: Page, namespace: string): Promise<string[]> {
  const text = await page.evaluate(
    (key) => (globalThis as LocalStorageScope).localStorage.getItem(key),
    `${namespace}:instances`,
  );
  return JSON.parse(text ?? '[]') as string[];
}

interface PageDocument {
  dispatchEvent(event: Event): boolean;
}

/**
 * Runs in the page before its scripts: the wall clock (`Date.now()` and
 * `new Date()`) runs `shiftMs` ahead, as on a device set wrong;
 * `performance.now()` is left alone.
 */
function shiftDate(shiftMs: number): void {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + shiftMs);
      else super(...(args as [string]));
    }

    static override now(): number {
      return RealDate.now() + shiftMs;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}

/** Clicks the game's target in the next `count` rounds, as soon as it shows. */
async function hitTrials(page: Page, count: number): Promise<void> {
  const target = page.locator('#target');
  for (let trial = 1; trial <= count; trial++) {
    await target.waitFor({ state: 'visible', timeout: 10_000 });
    await target.click();
  }
}

/** Start, ten trial starts, ten hits, complete. */
function gameEventTypes(): number[] {
  return [100, ...Array<number>(10).fill(101), ...Array<number>(10).fill(102), 104];
}

function passed(seen: SeenRequest): boolean {
  return seen.status === 200;
}

function eventsIn(seen: SeenRequest): { client_event_id: string }[] {
  return JSON.parse(seen.body) as { client_event_id: string }[];
}

function sentAt(seen: SeenRequest): string | string[] | undefined {
  return seen.headers['x-client-sent-at'];
}

function idsIn(seen: SeenRequest): string[] {
  return eventsIn(seen).map((event) => event.client_event_id);
}

function numbersTo(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}
