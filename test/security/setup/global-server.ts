import type { TestProject } from 'vitest/node';

import { createServerDatabase } from '../../helpers/database.js';
import { makeTempDir } from '../../helpers/temp-dir.js';
import { cleanEnv, runCli, startServerProcess } from '../support/server-process.js';

export interface SecurityServer {
  url: string;
  /** The server's own database, for counting rows from outside the process. */
  databaseUrl: string;
  adminKey: string;
  /** Made with the CLI before the start, like an operator would. */
  studyId: string;
  /** The server's JSON log (stdout). */
  logPath: string;
  /** Environment the server runs with, to start a second one with changes. */
  env: Record<string, string>;
  dir: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    securityServer: SecurityServer;
  }
}

/** Limits far above what the suite sends, so rate limiting never masks another answer. */
const unlimited = {
  RATE_LIMIT_PER_MINUTE: '9999999',
  RATE_LIMIT_INGEST_PER_MINUTE: '9999999',
  RATE_LIMIT_CODE_ATTEMPTS_PER_MINUTE: '9999999',
};

/**
 * One real `webtics serve` process for the whole security suite, on a fresh
 * PostgreSQL database of its own; the study and the first admin key come
 * from the CLI. Test files run one after another against it.
 */
export default async function setup(project: TestProject) {
  const dir = makeTempDir('webtics-security');
  const database = await createServerDatabase();
  const env = {
    ...unlimited,
    DATABASE_URL: database.url,
    DATA_DIR: `${dir.path}/data`,
    ENVIRONMENT: 'test',
    LOG_LEVEL: 'info',
  };
  const cliEnv = cleanEnv(env);
  await runCli(['studies', 'create', 'alpha', '--title', 'Alpha'], cliEnv, dir.path);
  const created = await runCli(['keys', 'create', '--role', 'admin', '--json'], cliEnv, dir.path);
  const adminKey = (JSON.parse(created.stdout) as { key: string }).key;
  const server = await startServerProcess(env, dir.path);

  project.provide('securityServer', {
    url: server.url,
    databaseUrl: database.url,
    adminKey,
    studyId: 'alpha',
    logPath: server.logPath,
    env,
    dir: dir.path,
  });

  return async () => {
    const crashed = server.child.exitCode !== null;
    const code = await server.stop();
    await database.drop();
    dir.remove();
    if (crashed) throw new Error(`the server died during the suite (exit code ${code})`);
    if (code !== 0) throw new Error(`the server did not stop cleanly on SIGTERM (exit ${code})`);
  };
}
