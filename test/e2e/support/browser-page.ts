import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import type { EventType, WebTics } from '../../../sdk/web/src/webtics.js';

/**
 * Debian's Chromium, headless, with its own calls home switched off so the
 * fault proxy sees only what the page sends.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A refusal as the page's `onRejected` recorded it: plain data, so it crosses to Node. */
export interface PageRejection {
  sequence: number;
  clientEventId: string;
  playSessionId: number;
  field: string | undefined;
  rule: string;
}

/**
 * What a test page keeps on `globalThis.webticsTest` once {@link loadSdk} has
 * run: the SDK as the server serves it, the clients made by name, and what
 * their callbacks reported.
 */
export interface SdkPageGlobals {
  sdk: { WebTics: typeof WebTics; EventType: typeof EventType };
  clients: Record<string, WebTics>;
  rejected: PageRejection[];
  errors: string[];
}

/** The page's own global object, as the functions run inside the page see it. */
export type PageScope = typeof globalThis & {
  webticsTest: SdkPageGlobals;
  location: { origin: string };
};

/**
 * Imports `/sdk/webtics.js` into the page, from the page's own origin. The
 * import is written as a string: the test runner rewrites `import()` in test
 * code, and the rewritten call does not exist in the browser.
 */
export async function loadSdk(page: Page): Promise<void> {
  await page.evaluate(
    `import('/sdk/webtics.js').then((sdk) => {
      globalThis.webticsTest = { sdk, clients: {}, rejected: [], errors: [] };
    })`,
  );
}

/**
 * A new tab showing the game page of `origin` (the fault proxy) with the SDK
 * loaded. The game waits for a key and a click, so it stays out of the way.
 */
export async function openSdkPage(context: BrowserContext, origin: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${origin}/play/`);
  await loadSdk(page);
  return page;
}

export interface PageClientOptions {
  name: string;
  apiKey: string;
  storageNamespace: string;
  batchSize?: number;
  flushIntervalMs?: number;
  instanceId?: string;
  heartbeatMs?: number;
  /** Attempts per batch; 5 by default. */
  maxAttempts?: number;
}

/**
 * Makes a client in the page, on the page's origin, with short backoffs so
 * retries happen within a test. Refusals and errors are collected in the page.
 */
export async function createClient(page: Page, options: PageClientOptions): Promise<void> {
  await page.evaluate((options) => {
    const scope = globalThis as PageScope;
    const test = scope.webticsTest;
    const { name, maxAttempts = 5, ...rest } = options;
    test.clients[name] = new test.sdk.WebTics({
      url: scope.location.origin,
      buildNumber: 'e2e-1.0.0',
      retry: { baseDelayMs: 100, maxDelayMs: 1000, maxAttempts },
      ...rest,
      onRejected: (rejections) => {
        for (const { event, playSessionId, field, rule } of rejections) {
          const { sequence, client_event_id: clientEventId } = event;
          test.rejected.push({ sequence, clientEventId, playSessionId, field, rule });
        }
      },
      onError: (error) => test.errors.push(String(error)),
    });
  }, options);
}

export interface PlayIds {
  sessionId: number;
  playSessionId: number;
}

/** Opens a metric session and a play in the named client. */
export function startPlay(page: Page, name: string, uniqueId: string): Promise<PlayIds> {
  return page.evaluate(
    async ({ name, uniqueId }) => {
      const client = (globalThis as PageScope).webticsTest.clients[name]!;
      const session = await client.startSession(uniqueId);
      const play = await client.startPlay();
      return { sessionId: session.id, playSessionId: play.id };
    },
    { name, uniqueId },
  );
}

/**
 * Logs `count` trial starts (type 101) numbered from `from` in `data.n`, and
 * answers their client event ids. With `pauseEvery`, waits a few
 * milliseconds after every so many events, so other tabs and flushes get turns.
 */
export function logTrials(
  page: Page,
  name: string,
  count: number,
  options: { from?: number; pauseEvery?: number } = {},
): Promise<string[]> {
  return page.evaluate(
    async ({ name, count, from, pauseEvery }) => {
      const test = (globalThis as PageScope).webticsTest;
      const client = test.clients[name]!;
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        ids.push(client.log(test.sdk.EventType.TRIAL_START, { x: i, y: 0, data: { n: from + i } }));
        if (pauseEvery > 0 && (i + 1) % pauseEvery === 0) {
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
      return ids;
    },
    { name, count, from: options.from ?? 1, pauseEvery: options.pauseEvery ?? 0 },
  );
}

/** `flush()` in the page; answers the error's code when it rejects. */
export function flush(page: Page, name: string): Promise<string | undefined> {
  return page.evaluate(async (name) => {
    const client = (globalThis as PageScope).webticsTest.clients[name]!;
    try {
      await client.flush();
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  }, name);
}

/** `closePlay()` in the page; answers the id of the play it closed, if any. */
export function closePlay(page: Page, name: string): Promise<number | undefined> {
  return page.evaluate(async (name) => {
    const client = (globalThis as PageScope).webticsTest.clients[name]!;
    const closed = await client.closePlay();
    return closed?.id;
  }, name);
}

/** How many events the named client still holds. */
export function pendingEvents(page: Page, name: string): Promise<number> {
  return page.evaluate(
    (name) => (globalThis as PageScope).webticsTest.clients[name]!.pendingEvents,
    name,
  );
}
