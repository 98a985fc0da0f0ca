import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new empty folder under the system temp folder; `remove` deletes it and all inside. */
export function makeTempDir(label = 'webtics'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `${label}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Remembers process.env as it is now; the returned function puts it back exactly. */
export function snapshotEnv(): () => void {
  const saved = { ...process.env };
  return () => {
    for (const name of Object.keys(process.env)) {
      if (!(name in saved)) delete process.env[name];
    }
    Object.assign(process.env, saved);
  };
}

/**
 * Points the process at a fresh embedded data dir, as the CLI and server read it:
 * DATA_DIR set, DATABASE_URL unset, and the temp folder as working folder so no
 * developer's `.env` leaks in. `restore` puts environment and folder back.
 */
export function useTempDataDir(label = 'webtics-data'): { path: string; restore(): void } {
  const folder = makeTempDir(label);
  const restoreEnv = snapshotEnv();
  const cwd = process.cwd();
  process.env.DATA_DIR = folder.path;
  delete process.env.DATABASE_URL;
  process.chdir(folder.path);

  const restore = () => {
    process.chdir(cwd);
    restoreEnv();
    folder.remove();
  };
  return { path: folder.path, restore };
}
