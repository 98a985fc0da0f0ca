import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface StoredEvent {
  event_type: number;
  magnitude: number | null;
}

const TRIALS = 10;
const SKIPPED_TRIAL = 4;

describe('reaction-time game page', () => {
  let server: TestServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    if (!existsSync('dist/web/public/play/index.html')) {
      throw new Error('The web pages are not built; run `npm run build` first');
    }
    server = await startTestServer();
    browser = await chromium.launch({
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
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('stores ten trials with nine hits and one timeout', async () => {
    const page = await browser!.newPage();
    const pageErrors = collectPageErrors(page);

    await page.goto(`${server!.url}/play/#key=${server!.ingestKey}`);
    expect(page.url()).not.toContain('key=');
    await page.click('#start');
    await playTrials(page);

    const result = page.locator('#result[data-status="sent"]');
    await result.waitFor({ timeout: 30_000 });
    const sessionId = await result.getAttribute('data-session-id');
    const events = await readEvents(server!, sessionId);
    await expectResultScreen(page, sessionId!);

    expect(countByType(events)).toEqual({ 100: 1, 101: 10, 102: 9, 104: 1, 106: 1 });
    for (const hit of events.filter((event) => event.event_type === 102)) {
      expect(hit.magnitude).toBeGreaterThanOrEqual(0);
      expect(hit.magnitude).toBeLessThanOrEqual(10_000);
    }
    expect(events.find((event) => event.event_type === 104)?.magnitude).toBe(90);
    expect(pageErrors).toEqual([]);
  });
});

// Console errors include the browser's reports of Content-Security-Policy
// violations, so an empty list also means the page kept to the policy.
function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

// Each round's feedback stays on screen for a moment after the round ends,
// so it can be read right after the click or the timeout.
async function playTrials(page: Page): Promise<void> {
  const target = page.locator('#target');
  const status = page.locator('#status');
  for (let trial = 1; trial <= TRIALS; trial++) {
    await target.waitFor({ state: 'visible', timeout: 10_000 });
    expect(await status.textContent()).toBe('Click the circle!');
    if (trial === SKIPPED_TRIAL) {
      await target.waitFor({ state: 'hidden', timeout: 10_000 });
      expect(await status.textContent()).toBe('Too slow this time.');
    } else {
      await target.click();
      expect(await status.textContent()).toMatch(/^\d+ ms$/);
    }
  }
}

async function expectResultScreen(page: Page, sessionId: string): Promise<void> {
  const note = page.locator('#session-note');
  expect(await note.isVisible()).toBe(true);
  expect(await note.innerText()).toContain(`Your session id is ${sessionId}.`);

  expect(await page.locator('#accuracy').innerText()).toBe('90 % (9 of 10 rounds hit)');
  expect(await page.locator('#premature-count').innerText()).toBe('0');
  expect(await page.locator('#off-target-count').innerText()).toBe('0');
  expect(await page.locator('#timeout-count').innerText()).toBe('1');
}

async function readEvents(server: TestServer, sessionId: string | null): Promise<StoredEvent[]> {
  expect(sessionId).toMatch(/^\d+$/);

  const url = `${server.url}/api/v1/sessions/${sessionId}/events?limit=100`;
  const response = await fetch(url, { headers: { 'X-API-Key': server.adminKey } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { events: StoredEvent[] };
  return body.events;
}

function countByType(events: StoredEvent[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const { event_type } of events) counts[event_type] = (counts[event_type] ?? 0) + 1;
  return counts;
}
