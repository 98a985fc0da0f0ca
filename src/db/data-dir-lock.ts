import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ConflictError } from '../errors.js';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Creates the lock file only if none exists, so two starting processes cannot both win. */
function tryCreate(lockFile: string): boolean {
  try {
    writeFileSync(lockFile, String(process.pid), { mode: 0o600, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function holder(lockFile: string): number | undefined {
  try {
    const pid = Number(readFileSync(lockFile, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isRunning(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The embedded database is a folder that only one process may open: a second
 * opener would corrupt it. The lock file holds the owner's pid; a stale one
 * (owner gone) is taken over. Returns the function that releases the lock.
 */
export function holdDataDirLock(dataDir: string): () => void {
  const lockFile = join(dataDir, 'webtics.lock');
  if (tryCreate(lockFile)) return () => rmSync(lockFile, { force: true });

  const owner = holder(lockFile);
  if (owner !== undefined) {
    throw new ConflictError(
      'database_in_use',
      `the embedded database in ${dataDir} is in use by process ${owner} (is the server ` +
        'running?). Stop it first, or make keys and studies through the API with an admin key.',
    );
  }
  // The owner is gone: take the stale lock over.
  rmSync(lockFile, { force: true });
  if (!tryCreate(lockFile)) return holdDataDirLock(dataDir);
  return () => rmSync(lockFile, { force: true });
}
