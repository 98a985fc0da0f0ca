import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { projectRoot } from '../../../src/version.js';
import { send } from './http.js';

const bin = join(projectRoot, 'bin', 'webtics.js');

/** How long a start may take before the suite gives up, and how often readiness is asked. */
const startLimitMs = 30_000;
const pollMs = 100;
const stopLimitMs = 12_000;

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Its stdout (the JSON log) and stderr, each in a file. */
  logPath: string;
  errPath: string;
  /** SIGTERM, then waits for the exit; SIGKILL if the graceful stop hangs. Gives the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Only what the process needs, so a developer's DATABASE_URL or secrets never
 * leak into the server under test.
 */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', ...extra };
}

/** A port nobody listens on right now, on 127.0.0.1 only. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess, limitMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), limitMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Runs `webtics <args>` to the end; throws with its stderr if it fails. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawn(process.execPath, [bin, ...args], { env, cwd });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (!(await exited(child, startLimitMs))) {
    child.kill('SIGKILL');
    throw new Error(`webtics ${args.join(' ')} did not finish in ${startLimitMs} ms`);
  }
  if (child.exitCode !== 0) {
    throw new Error(`webtics ${args.join(' ')} failed (${child.exitCode}): ${stderr}`);
  }
  return { stdout, stderr };
}

async function waitUntilReady(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + startLimitMs;
  for (let attempt = 0; attempt < startLimitMs / pollMs && Date.now() < deadline; attempt++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ready = await send(url, { method: 'GET', path: '/api/v1/health/ready' }).then(
      (res) => res.status === 200,
      () => false,
    );
    if (ready) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
  throw new Error(`server at ${url} was not ready within ${startLimitMs} ms`);
}

/**
 * Starts `webtics serve` on 127.0.0.1 at a free port, and waits until the
 * database answers. Another process may take the port between the probe and
 * the start, so a failed start is tried again, a few times at most.
 */
export async function startServerProcess(
  env: Record<string, string>,
  dir: string,
): Promise<ServerProcess> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(env, dir);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce(env: Record<string, string>, dir: string): Promise<ServerProcess> {
  const port = await freePort();
  const logPath = join(dir, `server-${port}.log`);
  const errPath = join(dir, `server-${port}.err`);
  const out = openSync(logPath, 'a');
  const err = openSync(errPath, 'a');
  const child = spawn(process.execPath, [bin, 'serve'], {
    cwd: dir,
    env: cleanEnv({ ...env, HOST: '127.0.0.1', PORT: String(port) }),
    stdio: ['ignore', out, err],
  });
  closeSync(out);
  closeSync(err);
  const url = `http://127.0.0.1:${port}`;

  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    if (!(await exited(child, stopLimitMs))) {
      child.kill('SIGKILL');
      await exited(child, 2_000);
    }
    return child.exitCode;
  };
  try {
    await waitUntilReady(url, child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, child, logPath, errPath, stop };
}
