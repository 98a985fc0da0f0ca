import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { endpoints } from './support/endpoints.js';
import { jsonHeaders, send } from './support/http.js';
import { openWorld, uniqueSlug, type World } from './support/world.js';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.close());

const markup = '<script>alert(1)</script><img src=x onerror="alert(2)">&amp;';

describe('markup', () => {
  it('stores markup in event data as given and never sends a raw < back', async () => {
    const { sessionId, playSessionId } = await world.newPlaySession();
    const data = { note: markup, [markup]: 'as a key' };
    const event = { event_type: 1, data, timestamp: new Date().toISOString() };

    const created = await world.call(
      'POST',
      `/api/v1/events?play_session_id=${playSessionId}`,
      event,
      world.a.ingest,
    );
    const listed = await world.call(
      'GET',
      `/api/v1/sessions/${sessionId}/events`,
      undefined,
      world.a.researcher,
    );

    expect(created.status).toBe(201);
    for (const res of [created, listed]) {
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.text).not.toMatch(/[<>]/);
    }
    expect(listed.json().events[0].data).toEqual(data);
    const row = await world.pool.query('select data from events where id = $1', [
      created.json().id,
    ]);
    expect(row.rows[0].data).toEqual(data);
  });

  it('keeps markup in a study title and a key label as text', async () => {
    const id = uniqueSlug('markup');
    const study = await world.call('POST', '/api/v1/studies', { id, title: markup });
    const key = await world.call('POST', '/api/v1/keys', { role: 'admin', label: markup });

    expect(study.text).not.toMatch(/[<>]/);
    expect(study.json().title).toBe(markup);
    expect(key.json().label).toBe(markup);
    const row = await world.pool.query('select title from studies where id = $1', [id]);
    expect(row.rows[0].title).toBe(markup);
  });

  it('does not echo markup from an unknown path', async () => {
    const res = await send(world.url, {
      method: 'GET',
      path: '/api/v1/%3Cscript%3Ealert(1)%3C/script%3E',
    });

    expect(res.status).toBe(404);
    expect(res.text).not.toMatch(/[<>]/);
  });
});

const traversals = [
  '..',
  '../..',
  '../../../../etc/passwd',
  '..%2f..%2f..%2fetc%2fpasswd',
  '%2e%2e%2f%2e%2e%2fpackage.json',
  '%252e%252e%252f%252e%252e%252fpackage.json',
  '..%252f..%252fpackage.json',
  '..\\..\\package.json',
  '..%5c..%5cpackage.json',
  '%2e%2e%5c%2e%2e%5cpackage.json',
  '....//....//package.json',
  '%c0%ae%c0%ae/%c0%ae%c0%ae/package.json',
  '.env',
  '%00',
  '1%00',
  '1/../../keys',
];

/** What must never come back: the project's files, the system's, the server's data folder. */
function leaks(text: string): boolean {
  return /devDependencies|root:x:0|DATABASE_URL|PG_VERSION|wt_(admin|ingest|researcher)_/.test(
    text,
  );
}

// The OPTIONS catch-all '*' has no path of its own to climb out of.
const withParams = endpoints.filter(
  (e) => e.route.includes(':') || (e.route.endsWith('/*') && e.method === 'GET'),
);

describe.each(withParams)('path traversal in $method $route', (endpoint) => {
  it.each(traversals)('refuses %s without a 5xx or a leak', async (segment) => {
    const prepared = await endpoint.prepare(world);
    const prefix = endpoint.route.endsWith('*') ? endpoint.route.slice(0, -1) : undefined;
    const path =
      prefix !== undefined
        ? prefix + segment
        : endpoint.route.replace(/:\w+/, segment) +
          (prepared.path.includes('?') ? '?' + prepared.path.split('?')[1] : '');

    const res = await send(world.url, {
      method: endpoint.method,
      path,
      headers: jsonHeaders(world.admin),
      body: prepared.body === undefined ? undefined : JSON.stringify(prepared.body),
    });

    expect(res.status, `${path}: ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(leaks(res.text)).toBe(false);
  });
});
