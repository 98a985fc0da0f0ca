import type { Kysely } from 'kysely';

import { createApiKey } from './data/api-keys.js';
import { createStudy } from './data/studies.js';
import type { Database } from './db/schema.js';

export interface DemoSetup {
  studyId: string;
  ingestKey: string;
  adminKey: string;
}

/** The study and keys a newcomer needs to play the example game on a fresh install. */
export async function createDemo(db: Kysely<Database>): Promise<DemoSetup> {
  const study = await createStudy(db, { id: 'demo', title: 'Demo: reaction-time test' });
  const ingest = await createApiKey(db, { role: 'ingest', studyId: study.id, label: 'demo game' });
  const admin = await createApiKey(db, { role: 'admin', studyId: null, label: 'first admin' });
  return { studyId: study.id, ingestKey: ingest.key, adminKey: admin.key };
}

/** Printed once, to the terminal only: keys never go to the log. */
export function demoBanner(demo: DemoSetup, baseUrl: string): string {
  return [
    '',
    'WebTics: first start on a new embedded database. Created the study "demo" and two keys.',
    'They are shown now and never again (only their hashes are stored):',
    '',
    `  ingest key (demo study): ${demo.ingestKey}`,
    `  admin key  (everything): ${demo.adminKey}`,
    '',
    `Play the reaction-time test: ${baseUrl}/play/#key=${demo.ingestKey}`,
    `API description:            ${baseUrl}/api/v1/openapi.json`,
    '',
    'More keys: stop the server and run `npx webtics keys create --role ingest --study demo`,',
    'or while it runs: POST /api/v1/keys with the admin key in X-API-Key.',
    '',
  ].join('\n');
}
