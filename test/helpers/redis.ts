import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';

import { Redis } from 'ioredis';

/** The Redis this machine runs for tests; keys made in it carry a random prefix. */
export const sharedRedisUrl = process.env.WEBTICS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other test run uses, for keys in the shared Redis. */
export function randomRedisPrefix(): string {
  return `webtics-test:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under the prefix (bounded: at most 100 scan rounds). */
export async function deleteRedisKeys(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  let cursor = '0';
  for (let round = 0; round < 100; round++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  redis.disconnect();
}

/** Reads one key of a Redis (null when it does not exist). */
export async function readRedisKey(url: string, key: string): Promise<string | null> {
  const redis = new Redis(url, { lazyConnect: true });
  await redis.connect();
  try {
    return await redis.get(key);
  } finally {
    redis.disconnect();
  }
}

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface RedisProcess {
  url: string;
  /** Stops the server at once, as a crash would. */
  kill(): Promise<void>;
}

/** A private redis-server on 127.0.0.1 that keeps nothing on disk, to be stopped by the test. */
export async function startRedisServer(port?: number): Promise<RedisProcess> {
  const chosen = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await untilReady(child);
  return { url: `redis://127.0.0.1:${chosen}`, kill: () => stop(child) };
}

function untilReady(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('redis-server did not start in 10 s')), 10_000);
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!chunk.toString().includes('Ready to accept connections')) return;
      clearTimeout(timer);
      resolve();
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}
