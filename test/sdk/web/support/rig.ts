import { MemoryStorage, WebTics } from '../../../../sdk/web/src/webtics.js';
import type {
  DroppedEvent,
  RejectedEvent,
  WebTicsOptions,
} from '../../../../sdk/web/src/webtics.js';
import { FakeClock } from './fake-clock.js';
import { FakeServer } from './fake-server.js';

/** A fake server, a virtual clock and a shared storage, and what the SDK reported. */
export interface Rig {
  server: FakeServer;
  clock: FakeClock;
  storage: MemoryStorage;
  rejected: RejectedEvent[];
  dropped: DroppedEvent[];
  errors: unknown[];
  /** A new client on the rig's server, clock and storage: a page load. */
  client(overrides?: Partial<WebTicsOptions>): WebTics;
}

/**
 * Everything a client test needs. Timed flushes are off (a huge interval)
 * and lifecycle listeners are not installed unless a test asks for them.
 */
export function makeRig(): Rig {
  const server = new FakeServer();
  const clock = new FakeClock();
  const storage = new MemoryStorage();
  const rig: Rig = {
    server,
    clock,
    storage,
    rejected: [],
    dropped: [],
    errors: [],
    client: (overrides = {}) =>
      new WebTics({
        url: 'https://webtics.test',
        apiKey: 'wt_test_key',
        buildNumber: '1.0.0',
        fetch: server.fetch,
        clock,
        storage,
        locks: null,
        watchLifecycle: false,
        flushIntervalMs: 3_600_000,
        onRejected: (events) => rig.rejected.push(...events),
        onDropped: (events) => rig.dropped.push(...events),
        onError: (error) => rig.errors.push(error),
        ...overrides,
      }),
  };
  return rig;
}

/** Opens a session and a play, as a game does first. */
export async function startPlaying(client: WebTics): Promise<void> {
  await client.startSession('player-1');
  await client.startPlay();
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
  await new Promise((resolve) => setImmediate(resolve));
}
