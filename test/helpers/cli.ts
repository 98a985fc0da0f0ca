import { afterAll, beforeAll } from 'vitest';

import { run } from '../../src/cli/main.js';
import { onServer, openTestDatabase } from './database.js';
import { useTempDataDir } from './temp-dir.js';

/** Runs the command line in-process and returns its exit code and what it printed. */
export async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'webtics', ...args], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out, err: err.join('\n') };
}

/**
 * Points the command line of one test file at a fresh database: a temporary
 * DATA_DIR (the working folder too), or on server runs a new database through
 * DATABASE_URL. Call it inside a describe block.
 */
export function useCliDatabase(): { dataDir: () => string } {
  let dataDir: ReturnType<typeof useTempDataDir>;
  let server: Awaited<ReturnType<typeof openTestDatabase>> | undefined;

  beforeAll(async () => {
    dataDir = useTempDataDir();
    if (onServer) {
      server = await openTestDatabase();
      process.env.DATABASE_URL = server.url;
    }
  });
  afterAll(async () => {
    await server?.close();
    dataDir.restore();
  });
  return { dataDir: () => dataDir.path };
}
