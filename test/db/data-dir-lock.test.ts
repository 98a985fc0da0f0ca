import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { holdDataDirLock } from '../../src/db/data-dir-lock.js';
import { ConflictError } from '../../src/errors.js';
import { makeTempDir } from '../helpers/temp-dir.js';

function sleeper(): ChildProcess {
  return spawn('sleep', ['60'], { stdio: 'ignore' });
}

/** The pid of a process that has already ended (and been reaped). */
async function deadPid(): Promise<number> {
  const child = sleeper();
  const exited = once(child, 'exit');
  child.kill();
  await exited;
  return child.pid!;
}

describe('holdDataDirLock', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let lockFile: string;

  beforeEach(() => {
    folder = makeTempDir('webtics-lock');
    lockFile = join(folder.path, 'webtics.lock');
  });
  afterEach(() => folder.remove());

  it('writes the pid of this process into the lock file', () => {
    holdDataDirLock(folder.path);

    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
  });

  it('removes the lock file on release', () => {
    const release = holdDataDirLock(folder.path);

    release();

    expect(existsSync(lockFile)).toBe(false);
  });

  it('refuses a folder whose lock is held by another running process', () => {
    const other = sleeper();
    try {
      writeFileSync(lockFile, String(other.pid));

      expect(() => holdDataDirLock(folder.path)).toThrow(ConflictError);
      expect(() => holdDataDirLock(folder.path)).toThrow(
        new RegExp(`in use by process ${other.pid}`),
      );
      expect(readFileSync(lockFile, 'utf8')).toBe(String(other.pid));
    } finally {
      other.kill();
    }
  });

  it('takes over a stale lock left by a process that has ended', async () => {
    writeFileSync(lockFile, String(await deadPid()));

    holdDataDirLock(folder.path);

    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
  });

  it('takes over a lock file that holds no pid', () => {
    writeFileSync(lockFile, 'not a pid');

    holdDataDirLock(folder.path);

    expect(readFileSync(lockFile, 'utf8')).toBe(String(process.pid));
  });
});
