import { randomUUID } from 'node:crypto';

import type { Role } from '../../../src/db/schema.js';
import { uniqueSlug, type World } from './world.js';

/** A request an admitted caller of study A makes, and the status it then gets. */
export interface Prepared {
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  ok: number;
}

export interface Endpoint {
  method: string;
  /** The route pattern exactly as registered. */
  route: string;
  /** Who gets in: anyone, or the roles whose keys are admitted. */
  access: 'anyone' | readonly Role[];
  /** It reaches one study's data: an admitted key of another study gets a 403. */
  studyScoped: boolean;
  /** A 4xx may still leave a rejected-event record (and nothing else). */
  keepsRejected?: boolean;
  /**
   * An array body is judged item by item: what would refuse a whole body
   * refuses only that item (200, listed in `rejected`), the rest is stored.
   */
  judgesItems?: boolean;
  /** A refused code attempt is itself written to the audit trail (and nothing else). */
  auditsRefusals?: boolean;
  prepare(world: World): Promise<Prepared>;
}

const ingest = ['ingest', 'admin'] as const;
const readers = ['researcher', 'admin'] as const;
const admin = ['admin'] as const;

export function validEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    event_type: 102,
    event_subtype: 1,
    x: 10,
    y: -20,
    z: 0,
    magnitude: 350,
    data: { trial: 1 },
    timestamp: new Date().toISOString(),
    client_event_id: randomUUID(),
    ...overrides,
  };
}

const anyone = (route: string, path: string, ok = 200): Endpoint => ({
  method: 'GET',
  route,
  access: 'anyone',
  studyScoped: false,
  prepare: async () => ({ path, ok }),
});

/**
 * Every route the server has, with who may call it. This is the expectation
 * the role matrix checks the running server against; a route missing here
 * fails the suite, so a new route is never left unchecked.
 * HEAD twins of GET routes are checked with the GET entry's expectation.
 */
export const endpoints: Endpoint[] = [
  anyone('/', '/'),
  anyone('/api/v1/openapi.json', '/api/v1/openapi.json'),
  anyone('/api/v1/health', '/api/v1/health'),
  anyone('/api/v1/health/ready', '/api/v1/health/ready'),
  anyone('/play/*', '/play/'),
  anyone('/sdk/*', '/sdk/webtics.js'),
  {
    // CORS preflight: answered for any caller, keys are never sent with it.
    method: 'OPTIONS',
    route: '*',
    access: 'anyone',
    studyScoped: false,
    prepare: async () => ({
      path: '/api/v1/sessions',
      headers: { origin: 'http://127.0.0.1:1', 'access-control-request-method': 'POST' },
      ok: 204,
    }),
  },
  {
    method: 'GET',
    route: '/metrics',
    access: admin,
    studyScoped: false,
    prepare: async () => ({ path: '/metrics', ok: 200 }),
  },
  {
    method: 'POST',
    route: '/api/v1/sessions',
    access: ingest,
    studyScoped: true,
    prepare: async (w) => ({
      path: '/api/v1/sessions',
      body: { unique_id: 'player-1', build_number: '1.0.0', study_id: w.a.studyId },
      ok: 201,
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/sessions/:id/close',
    access: ingest,
    studyScoped: true,
    prepare: async (w) => ({
      path: `/api/v1/sessions/${(await w.newPlaySession()).sessionId}/close`,
      ok: 200,
    }),
  },
  {
    method: 'GET',
    route: '/api/v1/sessions/:id/events',
    access: readers,
    studyScoped: true,
    prepare: async (w) => ({
      path: `/api/v1/sessions/${(await w.newPlaySession()).sessionId}/events?limit=10`,
      ok: 200,
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/play-sessions',
    access: ingest,
    studyScoped: true,
    prepare: async (w) => ({
      path: '/api/v1/play-sessions',
      body: { metric_session_id: (await w.newPlaySession()).sessionId },
      ok: 201,
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/play-sessions/:id/close',
    access: ingest,
    studyScoped: true,
    prepare: async (w) => ({
      path: `/api/v1/play-sessions/${(await w.newPlaySession()).playSessionId}/close`,
      ok: 200,
    }),
  },
  {
    method: 'GET',
    route: '/api/v1/play-sessions/:id/completeness',
    access: ['ingest', 'researcher', 'admin'],
    studyScoped: true,
    prepare: async (w) => ({
      path: `/api/v1/play-sessions/${(await w.newPlaySession()).playSessionId}/completeness`,
      ok: 200,
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/events',
    access: ingest,
    studyScoped: true,
    keepsRejected: true,
    prepare: async (w) => ({
      path: `/api/v1/events?play_session_id=${(await w.newPlaySession()).playSessionId}`,
      body: validEvent(),
      ok: 201,
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/events/batch',
    access: ingest,
    studyScoped: true,
    judgesItems: true,
    prepare: async (w) => ({
      path: `/api/v1/events/batch?play_session_id=${(await w.newPlaySession()).playSessionId}`,
      body: [validEvent(), validEvent({ event_type: 104, magnitude: 80 })],
      ok: 200,
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/studies',
    access: admin,
    studyScoped: false,
    prepare: async () => ({
      path: '/api/v1/studies',
      body: { id: uniqueSlug('made'), title: 'A study' },
      ok: 201,
    }),
  },
  {
    method: 'GET',
    route: '/api/v1/studies',
    access: readers,
    // A researcher of another study is admitted and sees only its own study.
    studyScoped: false,
    prepare: async () => ({ path: '/api/v1/studies', ok: 200 }),
  },
  {
    method: 'GET',
    route: '/api/v1/studies/:study_id',
    access: readers,
    studyScoped: true,
    prepare: async (w) => ({ path: `/api/v1/studies/${w.a.studyId}`, ok: 200 }),
  },
  {
    method: 'POST',
    route: '/api/v1/keys',
    access: admin,
    studyScoped: false,
    prepare: async (w) => ({
      path: '/api/v1/keys',
      body: { role: 'ingest', study_id: w.a.studyId, label: 'made by the suite' },
      ok: 201,
    }),
  },
  {
    method: 'GET',
    route: '/api/v1/keys',
    access: admin,
    studyScoped: false,
    prepare: async () => ({ path: '/api/v1/keys', ok: 200 }),
  },
  {
    method: 'POST',
    route: '/api/v1/keys/:id/revoke',
    access: admin,
    studyScoped: false,
    prepare: async (w) => ({
      path: `/api/v1/keys/${(await w.newKey('ingest', w.a.studyId)).id}/revoke`,
      ok: 200,
    }),
  },
  {
    method: 'PATCH',
    route: '/api/v1/studies/:study_id',
    access: admin,
    studyScoped: false,
    prepare: async (w) => ({
      path: `/api/v1/studies/${w.a.studyId}`,
      body: { contact: 'team@example.org' },
      ok: 200,
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/studies/:study_id/close',
    access: admin,
    studyScoped: false,
    prepare: async (w) => {
      // Never study A: the other files still write into it.
      const id = uniqueSlug('closing');
      await w.call('POST', '/api/v1/studies', { id, title: 'To close' });
      return { path: `/api/v1/studies/${id}/close`, ok: 200 };
    },
  },
  {
    method: 'POST',
    route: '/api/v1/research/consent',
    access: ingest,
    studyScoped: true,
    prepare: async (w) => ({
      path: '/api/v1/research/consent',
      body: { consent_version: 'v1', study_id: w.a.studyId },
      ok: 201,
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/research/withdraw',
    access: 'anyone',
    studyScoped: false,
    auditsRefusals: true,
    prepare: async (w) => ({
      path: '/api/v1/research/withdraw',
      body: { code: await freshCode(w) },
      ok: 200,
    }),
  },
  {
    method: 'POST',
    route: '/api/v1/research/my-data',
    access: 'anyone',
    studyScoped: false,
    auditsRefusals: true,
    prepare: async (w) => ({
      path: '/api/v1/research/my-data',
      body: { code: await freshCode(w) },
      ok: 200,
    }),
  },
  anyone('/api/v1/research/receipt-key', '/api/v1/research/receipt-key'),
  {
    method: 'GET',
    route: '/api/v1/research/study/:study_id/stats',
    access: readers,
    studyScoped: true,
    prepare: async (w) => ({ path: `/api/v1/research/study/${w.a.studyId}/stats`, ok: 200 }),
  },
  {
    method: 'GET',
    route: '/api/v1/audit',
    access: admin,
    studyScoped: false,
    prepare: async () => ({ path: '/api/v1/audit?limit=5', ok: 200 }),
  },
  {
    method: 'GET',
    route: '/api/v1/studies/:study_id/export/:file',
    access: readers,
    studyScoped: true,
    prepare: async (w) => ({ path: `/api/v1/studies/${w.a.studyId}/export/sessions.csv`, ok: 200 }),
  },
  {
    method: 'GET',
    route: '/api/v1/studies/:study_id/export/manifest',
    access: readers,
    studyScoped: true,
    prepare: async (w) => ({ path: `/api/v1/studies/${w.a.studyId}/export/manifest`, ok: 200 }),
  },
  {
    method: 'GET',
    route: '/api/v1/studies/:study_id/export/codebook',
    access: readers,
    studyScoped: true,
    prepare: async (w) => ({ path: `/api/v1/studies/${w.a.studyId}/export/codebook`, ok: 200 }),
  },
];

/** The tables a refusal with `status` may still change on this endpoint. */
export function mayChangeOnRefusal(endpoint: Endpoint, status: number): string[] {
  const tables: string[] = [];
  if (endpoint.keepsRejected && status === 400) tables.push('rejected_events');
  if (endpoint.auditsRefusals) tables.push('audit_log');
  return tables;
}

/** A consent made in study A with the admin key; its code is fresh for each request. */
async function freshCode(world: World): Promise<string> {
  const res = await world.call('POST', '/api/v1/research/consent', {
    consent_version: '1',
    study_id: world.a.studyId,
  });
  return res.json<{ withdrawal_code: string }>().withdrawal_code;
}

/** `GET /x` for a `HEAD /x` twin that Fastify added by itself. */
export function endpointFor(method: string, route: string): Endpoint | undefined {
  const find = (m: string) => endpoints.find((e) => e.method === m && e.route === route);
  return find(method) ?? (method === 'HEAD' ? find('GET') : undefined);
}

export type Caller =
  'anonymous' | 'ingest' | 'researcher' | 'admin' | 'other-ingest' | 'other-researcher';

export const callers: Caller[] = [
  'anonymous',
  'ingest',
  'researcher',
  'admin',
  'other-ingest',
  'other-researcher',
];

export function keyOf(world: World, caller: Caller): string | undefined {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'admin':
      return world.admin;
    case 'ingest':
    case 'researcher':
      return world.a[caller];
    case 'other-ingest':
      return world.b.ingest;
    case 'other-researcher':
      return world.b.researcher;
  }
}

/** The status the table says a caller must get from an endpoint. */
export function expectedStatus(endpoint: Endpoint, caller: Caller, ok: number): number {
  if (endpoint.access === 'anyone') return ok;
  if (caller === 'anonymous') return 401;
  const role = caller.replace('other-', '') as Role;
  if (!endpoint.access.includes(role)) return 403;
  if (caller.startsWith('other-') && endpoint.studyScoped) return 403;
  return ok;
}
