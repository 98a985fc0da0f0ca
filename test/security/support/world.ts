import { randomBytes } from 'node:crypto';

import type pg from 'pg';
import { inject } from 'vitest';

import type { Role } from '../../../src/db/schema.js';
import { jsonHeaders, send, type RawResponse } from './http.js';
import { openStatePool } from './db-state.js';

export interface StudyKeys {
  studyId: string;
  ingest: string;
  researcher: string;
}

/** Two studies with keys, an admin key and a pool on the database: what every file starts from. */
export interface World {
  url: string;
  admin: string;
  /** The study the CLI made before the server started. */
  cliStudyId: string;
  a: StudyKeys;
  b: StudyKeys;
  pool: pg.Pool;
  logPath: string;
  /** A JSON request to the server under test; `key` undefined sends none. */
  call(method: string, path: string, body?: unknown, key?: string): Promise<RawResponse>;
  /** A fresh metric session and play session in study A. */
  newPlaySession(): Promise<{ sessionId: number; playSessionId: number }>;
  /** A fresh key, made with the admin key. */
  newKey(
    role: Role,
    studyId: string | null,
    expiresAt?: string,
  ): Promise<{ id: number; key: string }>;
  close(): Promise<void>;
}

/** Ids unique to one file, so files sharing the server never meet. */
export function uniqueSlug(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

/** The id (and for a key, the key) of what a setup request made. */
function expectStatus(res: RawResponse, status: number, what: string) {
  if (res.status !== status)
    throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text}`);
  return res.json<{ id: number; key: string }>();
}

export async function openWorld(): Promise<World> {
  const server = inject('securityServer');
  const call: World['call'] = (method, path, body, key = server.adminKey) =>
    send(server.url, {
      method,
      path,
      headers: jsonHeaders(key),
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const newKey: World['newKey'] = async (role, studyId, expiresAt) => {
    const body = {
      role,
      ...(studyId === null ? {} : { study_id: studyId }),
      expires_at: expiresAt,
    };
    const created = expectStatus(await call('POST', '/api/v1/keys', body), 201, 'key');
    return { id: created.id, key: created.key };
  };
  const study = async (label: string): Promise<StudyKeys> => {
    const studyId = uniqueSlug(label);
    expectStatus(
      await call('POST', '/api/v1/studies', { id: studyId, title: label }),
      201,
      'study',
    );
    const ingest = (await newKey('ingest', studyId)).key;
    return { studyId, ingest, researcher: (await newKey('researcher', studyId)).key };
  };
  const a = await study('a');
  const b = await study('b');

  const newPlaySession = async () => {
    const session = expectStatus(
      await call('POST', '/api/v1/sessions', { unique_id: 'p1', build_number: '1' }, a.ingest),
      201,
      'session',
    );
    const body = { metric_session_id: session.id };
    const play = expectStatus(
      await call('POST', '/api/v1/play-sessions', body, a.ingest),
      201,
      'play',
    );
    return { sessionId: session.id, playSessionId: play.id };
  };

  const pool = openStatePool(server.databaseUrl);
  return {
    url: server.url,
    admin: server.adminKey,
    cliStudyId: server.studyId,
    a,
    b,
    pool,
    logPath: server.logPath,
    call,
    newPlaySession,
    newKey,
    close: () => pool.end(),
  };
}
