import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';
import { projectRoot } from '../src/version.js';
import { onServer, openTestDatabase } from './helpers/database.js';
import { makeEvent, makePlaySession, makeStudyWithKeys } from './helpers/factories.js';
import { makeTempDir } from './helpers/temp-dir.js';

const bin = join(projectRoot, 'bin', 'webtics.js');

/** A port free right now: bind 127.0.0.1:0, note the port, let it go. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** `webtics serve` as an operator runs it, in its own process. */
function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd: env.DATA_DIR,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const waitFor = async (stream: 'stdout' | 'stderr', pattern: RegExp) => {
    for (let waited = 0; !pattern.test(output[stream]); waited += 20) {
      if (child.exitCode !== null || waited > 20_000) {
        throw new Error(`no ${String(pattern)} from the server:\n${output.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  return { child, output, exited, waitFor };
}

interface Answer {
  status: number;
  body: string;
}

/** Sends a POST in two halves; `finish` sends the second. */
function postInHalves(url: URL, headers: Record<string, string>, body: Buffer) {
  const req = request(url, {
    method: 'POST',
    agent: false,
    headers: { ...headers, 'content-length': String(body.length), connection: 'close' },
  });
  const answer = new Promise<Answer>((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
  });
  const half = Math.floor(body.length / 2);
  req.write(body.subarray(0, half));
  return { answer, finish: () => req.end(body.subarray(half)) };
}

describe('graceful shutdown of webtics serve', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let serverDatabase: (DatabaseHandle & { url?: string }) | undefined;
  let env: Record<string, string>;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  let ids: { session: number; playSession: number };

  beforeAll(async () => {
    folder = makeTempDir('webtics-shutdown');
    serverDatabase = onServer ? await openTestDatabase() : undefined;
    const database =
      serverDatabase ?? (await openDatabase({ kind: 'embedded', dataDir: folder.path }));
    keys = await makeStudyWithKeys(database.db, 'shutdown');
    const made = await makePlaySession(database.db, 'shutdown');
    ids = { session: made.session.id, playSession: made.playSession.id };
    if (serverDatabase === undefined) await database.close();

    env = { DATA_DIR: folder.path, PORT: String(await freePort()) };
    if (serverDatabase?.url !== undefined) env.DATABASE_URL = serverDatabase.url;
  });
  afterAll(async () => {
    await serverDatabase?.close();
    folder.remove();
  });

  it('answers a batch in flight at SIGTERM, keeps all of it, and exits in time', async () => {
    const first = serve(env);
    await first.waitFor('stderr', /WebTics is running at/);
    const events = Array.from({ length: 1000 }, () => makeEvent());
    const batch = postInHalves(
      new URL(
        `http://127.0.0.1:${env.PORT}/api/v1/events/batch?play_session_id=${ids.playSession}`,
      ),
      { 'x-api-key': keys.ingest, 'content-type': 'application/json' },
      Buffer.from(JSON.stringify(events)),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    const signalledAt = Date.now();
    first.child.kill('SIGTERM');
    await first.waitFor('stdout', /"msg":"shutting down"/);
    batch.finish();
    const answer = await batch.answer;
    const code = await first.exited;
    const stopMs = Date.now() - signalledAt;

    expect(answer).toEqual({
      status: 200,
      body: JSON.stringify({ stored: 1000, duplicates: 0, rejected: [] }),
    });
    expect(code).toBe(0);
    expect(stopMs).toBeLessThan(10_000);

    const second = serve(env);
    try {
      await second.waitFor('stderr', /WebTics is running at/);
      const res = await fetch(
        `http://127.0.0.1:${env.PORT}/api/v1/sessions/${ids.session}/events?limit=1000`,
        { headers: { 'x-api-key': keys.admin } },
      );
      const stored = (await res.json()) as { events: { client_event_id: string }[] };

      expect(res.status).toBe(200);
      expect(stored.events.map((event) => event.client_event_id).sort()).toEqual(
        events.map((event) => event.client_event_id).sort(),
      );
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  }, 90_000);
});
