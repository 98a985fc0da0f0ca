import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import { createApiKey } from '../../src/data/api-keys.js';
import { createMetricSession, createPlaySession } from '../../src/data/sessions.js';
import { createStudy } from '../../src/data/studies.js';
import type { Database, Role } from '../../src/db/schema.js';

let counter = 0;

export async function makeStudy(db: Kysely<Database>, id = `study-${++counter}`) {
  return createStudy(db, { id, title: `Study ${id}` });
}

export async function makeKey(db: Kysely<Database>, role: Role, studyId: string | null) {
  const created = await createApiKey(db, { role, studyId: role === 'admin' ? null : studyId });
  return created.key;
}

/** A study with one key of each role, the usual starting point of an API test. */
export async function makeStudyWithKeys(db: Kysely<Database>, id?: string) {
  const study = await makeStudy(db, id);
  return {
    study,
    ingest: await makeKey(db, 'ingest', study.id),
    researcher: await makeKey(db, 'researcher', study.id),
    admin: await makeKey(db, 'admin', null),
  };
}

export async function makePlaySession(
  db: Kysely<Database>,
  studyId: string,
  uniqueId = 'player-1',
) {
  const session = await createMetricSession(db, { studyId, uniqueId, buildNumber: '1.0.0' });
  const playSession = await createPlaySession(db, session.id);
  return { session, playSession };
}

/** A valid event of the given type; override any field to make it invalid. */
export function makeEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_type: 102,
    magnitude: 321.5,
    timestamp: new Date().toISOString(),
    client_event_id: randomUUID(),
    ...overrides,
  };
}
