// A game in its own Node process, for the crash test: it opens a session and
// a play, logs the events it is told to while the network is down (so they
// stay in its file queue), says so, and waits to be killed with SIGKILL.
import { EventType, WebTics } from '../../../sdk/web/src/webtics.js';
import { FileStorage } from '../../../sdk/web/src/node/file-storage.js';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const client = new WebTics({
  url: env('GAME_URL'),
  apiKey: env('GAME_KEY'),
  buildNumber: '1.0.0',
  storage: new FileStorage(env('GAME_QUEUE_DIR')),
  instanceId: env('GAME_INSTANCE'),
  flushIntervalMs: 60_000,
  retry: { maxAttempts: 1 },
  onError: () => undefined,
});

await client.startSession('crash-player');
const play = await client.startPlay();
process.stdout.write(`play ${play.id}\n`);
// Wait for the test to cut the network, so nothing logged now can leave.
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const count = Number(env('GAME_EVENTS'));
for (let trial = 1; trial <= count; trial++) {
  client.log(EventType.CORRECT_RESPONSE, { magnitude: 300 + trial, data: { trial } });
}
process.stdout.write(`logged ${count}\n`);
setInterval(() => undefined, 1000);
