import { pino } from 'pino';

import { buildApp } from '../../src/app.js';
import { testConfig } from './config.js';
import { createDemo } from '../../src/demo.js';
import { openTestDatabase } from './database.js';

export interface TestServer {
  url: string;
  adminKey: string;
  ingestKey: string;
  studyId: string;
  close(): Promise<void>;
}

/** A real server listening on 127.0.0.1 at a free port, with the demo study and its keys. */
export async function startTestServer(): Promise<TestServer> {
  const database = await openTestDatabase();
  const demo = await createDemo(database.db);
  const app = await buildApp({
    config: testConfig(),
    db: database.db,
    logger: pino({ level: 'silent' }),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');

  return {
    url: `http://127.0.0.1:${address.port}`,
    adminKey: demo.adminKey,
    ingestKey: demo.ingestKey,
    studyId: demo.studyId,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
