import { spawn } from 'node:child_process';
import { join } from 'node:path';

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { FileStorage } from '../../sdk/web/src/node/file-storage.js';
import {
  EventType,
  MemoryStorage,
  WebTics,
  type RejectedEvent,
  type WebTicsOptions,
} from '../../sdk/web/src/webtics.js';
import { makeTempDir } from '../helpers/temp-dir.js';
import { FaultProxy, type SeenRequest } from './support/fault-proxy.js';
import {
  completeness,
  sessionEvents,
  startSdkServer,
  type SdkServer,
} from './support/sdk-server.js';

/** The Retry-After the server gave with a refusal the proxy passed on. */
function refusedAnswer(seen: SeenRequest): string | undefined {
  return seen.answerHeaders?.['retry-after'];
}

// The web SDK in Node against a real `webtics serve` process, with a fault
// proxy between them. Each test ends on the server's completeness report.

const hour = 3_600_000;

describe('the web SDK in Node against a real server', () => {
  let server: SdkServer;
  let proxy: FaultProxy;
  let dir: ReturnType<typeof makeTempDir>;
  const clients: WebTics[] = [];
  beforeAll(async () => {
    server = await startSdkServer();
    dir = makeTempDir('webtics-node-sdk');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await proxy?.stop();
  });
  afterAll(async () => {
    await server?.stop();
    dir?.remove();
  });

  async function newProxy(): Promise<FaultProxy> {
    proxy = await new FaultProxy(server.url).start();
    return proxy;
  }

  function newClient(options: Partial<WebTicsOptions> = {}): WebTics {
    const client = new WebTics({
      url: proxy.url,
      apiKey: server.ingestKey,
      buildNumber: '1.0.0',
      storage: new MemoryStorage(),
      flushIntervalMs: 60_000,
      retry: { baseDelayMs: 50, maxDelayMs: 400 },
      onError: () => undefined,
      ...options,
    });
    clients.push(client);
    return client;
  }

  /** Logs `count` reaction times, trial numbers from `first`. */
  function logTrials(client: WebTics, count: number, first = 1): void {
    for (let trial = first; trial < first + count; trial++) {
      client.log(EventType.CORRECT_RESPONSE, { magnitude: 250 + trial, data: { trial } });
    }
  }

  /** Every event of the play session stored once, with sequence 1…count. */
  async function expectStoredOnce(sessionId: number, playSessionId: number, count: number) {
    const events = (await sessionEvents(server, sessionId)).filter(
      (event) => event.play_session_id === playSessionId,
    );
    const ids = new Set(events.map((event) => event.client_event_id));
    expect(ids.size).toBe(events.length);
    expect(events.map((event) => event.sequence).sort((a, b) => a! - b!)).toEqual(
      Array.from({ length: count }, (_, i) => i + 1),
    );
    return events;
  }

  async function expectComplete(playSessionId: number, received: number) {
    const report = await completeness(server, playSessionId);
    expect(report).toMatchObject({
      received,
      missing_count: 0,
      missing: [],
      expected_last_sequence: expect.any(Number) as number,
      complete: true,
    });
    return report;
  }

  it('delivers every event exactly once when the network cuts in and out mid-batch', async () => {
    await newProxy();
    const client = newClient({ batchSize: 10 });
    const session = await client.startSession('cut-player');
    const play = await client.startPlay();
    const batches = `/api/v1/events/batch?play_session_id=${play.id}`;
    proxy.fail(batches, { kind: 'cut-after' }); // stored, but the answer is lost
    proxy.fail(batches, { kind: 'cut-before' }, 2); // never reaches the server

    logTrials(client, 30);
    await client.flush();
    await client.closePlay();

    const outcomes = proxy.requestsTo(batches).map((seen) => seen.outcome);
    expect(outcomes.slice(0, 3)).toEqual(['cut-after', 'cut-before', 'cut-before']);
    await expectStoredOnce(session.id, play.id, 30);
    const report = await expectComplete(play.id, 30);
    expect(report.duplicates).toBe(10);
  });

  it('sends what a crashed game left in its file queue when the game starts again', async () => {
    await newProxy();
    const queueDir = join(dir.path, 'crash');
    const game = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'support', 'crashing-game.ts')],
      {
        env: {
          PATH: process.env.PATH,
          GAME_URL: proxy.url,
          GAME_KEY: server.ingestKey,
          GAME_QUEUE_DIR: queueDir,
          GAME_INSTANCE: 'crash-test',
          GAME_EVENTS: '25',
        },
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    let output = '';
    game.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (pattern: RegExp) => {
      for (let waited = 0; !pattern.test(output); waited += 50) {
        if (waited > 30_000 || game.exitCode !== null) throw new Error(`game said: ${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await waitFor(/play \d+/);
    const playId = Number(/play (\d+)/.exec(output)![1]);
    proxy.cutNetwork();
    game.stdin.write('go\n');
    await waitFor(/logged 25/);
    game.kill('SIGKILL');
    await new Promise((resolve) => game.once('exit', resolve));
    proxy.restore();

    const restarted = newClient({
      storage: new FileStorage(queueDir),
      instanceId: 'crash-test',
    });
    expect(restarted.playSessionId).toBe(playId);
    await restarted.flush();
    await restarted.closePlay();

    await expectStoredOnce(restarted.sessionId!, playId, 25);
    await expectComplete(playId, 25);
  });

  it('waits out Retry-After on 429 and 503, then succeeds', async () => {
    await newProxy();
    const client = newClient({ batchSize: 5 });
    const session = await client.startSession('busy-player');
    const play = await client.startPlay();
    const batches = `/api/v1/events/batch?play_session_id=${play.id}`;
    const refusal = (status: number, code: string) => ({
      kind: 'respond' as const,
      status,
      headers: { 'retry-after': '1' },
      body: { error: { code, message: 'busy', retryable: true }, request_id: 'x' },
    });
    proxy.fail(batches, refusal(429, 'rate_limited'));
    proxy.fail(batches, refusal(503, 'database_unavailable'));

    logTrials(client, 5);
    await client.flush();
    await client.closePlay();

    const seen = proxy.requestsTo(batches);
    expect(seen.map((request) => request.status)).toEqual([429, 503, 200]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(seen[2]!.at - seen[1]!.at).toBeGreaterThanOrEqual(1000);
    await expectStoredOnce(session.id, play.id, 5);
    await expectComplete(play.id, 5);
  });

  it("waits for the server's own 429 to pass: a real rate limit of 4 ingest requests a minute", async () => {
    const limited = await startSdkServer({ RATE_LIMIT_INGEST_PER_MINUTE: '4' });
    try {
      proxy = await new FaultProxy(limited.url).start();
      const client = newClient({ apiKey: limited.ingestKey, batchSize: 5 });
      await client.startSession('limited-player'); // request 1 of 4
      const play = await client.startPlay(); // 2
      const batches = `/api/v1/events/batch?play_session_id=${play.id}`;

      logTrials(client, 15); // three batches: 3, 4, then refused until the minute is over
      await client.flush();
      await client.closePlay();

      const seen = proxy.requestsTo(batches);
      expect(seen.map((request) => request.status)).toEqual([200, 200, 429, 200]);
      const refused = proxy.seen.find((request) => request.status === 429)!;
      const retryAfter = Number(refusedAnswer(refused));
      expect(retryAfter).toBeGreaterThan(0);
      expect(seen[3]!.at - seen[2]!.at).toBeGreaterThanOrEqual(retryAfter * 1000 - 1000);
      const report = await completeness(limited, play.id);
      expect(report).toMatchObject({ received: 15, missing_count: 0, complete: true });
    } finally {
      await proxy.stop();
      await limited.stop();
    }
  });

  it('rides out a server restart: refused connections, then the same server again', async () => {
    await newProxy();
    const client = newClient({ batchSize: 10, retry: { maxAttempts: 2 } });
    const session = await client.startSession('restart-player');
    const play = await client.startPlay();
    const batches = `/api/v1/events/batch?play_session_id=${play.id}`;
    logTrials(client, 10);
    await client.flush();

    await server.restart(async () => {
      logTrials(client, 10, 11);
      // Every attempt meets a refused connection; the events stay queued.
      await expect(client.flush()).rejects.toThrow('could not be reached');
      expect(client.pendingEvents).toBe(10);
    });
    proxy.upstream = server.url;
    await client.flush();
    await client.closePlay();

    const outcomes = proxy.requestsTo(batches).map((seen) => seen.status ?? 'no answer');
    expect(outcomes).toEqual([200, 'no answer', 'no answer', 200]);
    await expectStoredOnce(session.id, play.id, 20);
    await expectComplete(play.id, 20);
  });

  it('reports a permanently invalid event once, never resends it, and keeps the rest', async () => {
    await newProxy();
    const rejected: RejectedEvent[] = [];
    const client = newClient({ onRejected: (events) => rejected.push(...events) });
    const session = await client.startSession('invalid-player');
    const play = await client.startPlay();

    logTrials(client, 3);
    client.log(EventType.CORRECT_RESPONSE, { magnitude: 20_000 }); // beyond 10 s
    logTrials(client, 3, 5);
    await client.flush();
    await client.flush();
    await client.closePlay();

    expect(rejected).toEqual([
      expect.objectContaining({ field: 'magnitude', rule: 'range', playSessionId: play.id }),
    ]);
    expect(rejected[0]!.event.sequence).toBe(4);
    const sent = proxy
      .requestsTo(`/api/v1/events/batch?play_session_id=${play.id}`)
      .flatMap((seen) => JSON.parse(seen.body) as { sequence: number }[]);
    expect(sent.filter((event) => event.sequence === 4)).toHaveLength(1);
    const stored = await sessionEvents(server, session.id);
    expect(stored.map((event) => event.sequence)).toEqual([1, 2, 3, 5, 6, 7]);
    const report = await expectComplete(play.id, 6);
    expect(report.rejected_sequences).toEqual([4]);
  });

  it('keeps two games sharing one queue directory apart, each complete', async () => {
    await newProxy();
    const shared = join(dir.path, 'shared');
    const games = [0, 1].map(() =>
      newClient({ storage: new FileStorage(shared), batchSize: 7, flushIntervalMs: 50 }),
    );
    const plays = await Promise.all(
      games.map(async (game, i) => {
        const session = await game.startSession(`tab-${i}`);
        return { session, play: await game.startPlay() };
      }),
    );
    for (let round = 0; round < 20; round++) {
      games.forEach((game) => logTrials(game, 1, round + 1));
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await Promise.all(games.map((game) => game.closePlay()));

    for (const { session, play } of plays) {
      await expectStoredOnce(session.id, play.id, 20);
      await expectComplete(play.id, 20);
    }
  });

  it('corrects a clock an hour fast to within the round trip of each batch', async () => {
    await newProxy();
    // One batch, sent by the flush below, so its round trip is the one measured.
    const client = newClient({
      batchSize: 100,
      clock: { now: () => new Date(Date.now() + hour) },
    });
    const session = await client.startSession('clock-player');
    const play = await client.startPlay();
    const loggedAt: number[] = [];
    for (let trial = 1; trial <= 8; trial++) {
      loggedAt.push(Date.now());
      client.log(EventType.CORRECT_RESPONSE, { magnitude: 300 });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const flushStarted = Date.now();
    await client.flush();
    const roundTrip = Date.now() - flushStarted;
    await client.closePlay();

    const events = await expectStoredOnce(session.id, play.id, 8);
    for (const event of events) {
      const real = loggedAt[event.sequence! - 1]!;
      expect(event.clock_offset_ms).toBeGreaterThan(hour - roundTrip - 5);
      expect(event.clock_offset_ms).toBeLessThanOrEqual(hour + 5);
      expect(Math.abs(Date.parse(event.corrected_time) - real)).toBeLessThanOrEqual(roundTrip + 5);
      expect(Date.parse(event.timestamp) - real).toBeGreaterThanOrEqual(hour - 5);
    }
    await expectComplete(play.id, 8);
  });

  it('names exactly the events that were withheld on the way', async () => {
    await newProxy();
    const client = newClient({ batchSize: 5 });
    await client.startSession('withheld-player');
    const play = await client.startPlay();
    const batches = `/api/v1/events/batch?play_session_id=${play.id}`;
    // The second batch (events 6–10) is answered as stored but never reaches the server.
    let batch = 0;
    proxy.intercept = (path) =>
      path.startsWith(batches) && ++batch === 2
        ? { kind: 'respond', status: 200, body: { stored: 5, duplicates: 0, rejected: [] } }
        : undefined;

    logTrials(client, 15);
    await client.flush();
    await client.closePlay();

    const report = await completeness(server, play.id);
    expect(report).toMatchObject({
      received: 10,
      missing: [{ from: 6, to: 10 }],
      missing_count: 5,
      expected_last_sequence: 15,
      complete: false,
    });
  });
});
