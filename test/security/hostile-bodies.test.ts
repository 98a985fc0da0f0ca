import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { bodyLimit } from '../../src/app.js';
import { changedTables, readState } from './support/db-state.js';
import { endpoints, mayChangeOnRefusal, type Endpoint } from './support/endpoints.js';
import { jsonHeaders, send, type RawRequest, type RawResponse } from './support/http.js';
import { openWorld, type World } from './support/world.js';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.close());

const posts = endpoints.filter((e) => e.method === 'POST');

/** Sends a request and checks it was refused with `status` and left nothing behind. */
async function refusedCleanly(endpoint: Endpoint, spec: RawRequest, status: number) {
  const before = await readState(world.pool);
  const res = await send(world.url, spec);

  expect(res.status, res.text.slice(0, 300)).toBe(status);
  expect(res.json().error.code).toEqual(expect.any(String));
  const allowed = mayChangeOnRefusal(endpoint, status);
  const changed = changedTables(before, await readState(world.pool));
  expect(changed.filter((name) => !allowed.includes(name))).toEqual([]);
  return res;
}

/**
 * What refuses a whole body refuses only the first item of a batch: the
 * answer lists it, with the rule, and only the other items are stored.
 */
async function refusedAsItem(spec: RawRequest, rule?: string) {
  const before = await readState(world.pool);
  const res = await send(world.url, spec);

  expect(res.status, res.text.slice(0, 300)).toBe(200);
  const rejected = res.json<{ rejected: { index: number; rule: string }[] }>().rejected;
  expect(rejected[0]?.index).toBe(0);
  if (rule !== undefined) expect(rejected[0]?.rule).toBe(rule);
  const changed = changedTables(before, await readState(world.pool));
  // play_sessions: a resent valid item counts as a duplicate there.
  const stores = ['rejected_events', 'events', 'play_sessions'];
  expect(changed.filter((name) => !stores.includes(name))).toEqual([]);
  return res;
}

/** Refused whole, or for a route that judges items, refused as the first item. */
async function refused(endpoint: Endpoint, spec: RawRequest, arrayBody: boolean, rule?: string) {
  if (endpoint.judgesItems && arrayBody) return refusedAsItem(spec, rule);
  const res = await refusedCleanly(endpoint, spec, 400);
  if (rule !== undefined) expect(res.json().error.rule).toBe(rule);
  return res;
}

/** The valid body as JSON text, with `"__HOLE__"` swapped for raw text in the first object. */
function bodyWith(body: unknown, field: string, raw: string): string {
  const item = Array.isArray(body) ? body[0] : body;
  const changed = { ...(item as object), [field]: '__HOLE__' };
  const text = JSON.stringify(Array.isArray(body) ? [changed, ...body.slice(1)] : changed);
  return text.replace('"__HOLE__"', raw);
}

function stringFields(body: unknown): string[] {
  const item = (Array.isArray(body) ? body[0] : (body ?? {})) as Record<string, unknown>;
  return Object.keys(item).filter((name) => typeof item[name] === 'string');
}

function numberFields(body: unknown): string[] {
  const item = (Array.isArray(body) ? body[0] : (body ?? {})) as Record<string, unknown>;
  return Object.keys(item).filter((name) => typeof item[name] === 'number');
}

describe.each(posts.filter((e) => e.route !== '*'))('$method $route', (endpoint) => {
  it('answers 413 for a body over the limit, with a length or chunked', async () => {
    const { path } = await endpoint.prepare(world);
    const big = `{"pad":"${'a'.repeat(bodyLimit)}"}`;

    await refusedCleanly(
      endpoint,
      { method: 'POST', path, headers: jsonHeaders(world.admin), body: big },
      413,
    );
    await refusedCleanly(
      endpoint,
      { method: 'POST', path, headers: jsonHeaders(world.admin), body: big + big, chunked: true },
      413,
    );
  });

  it.each([
    [undefined],
    ['text/plain'],
    ['application/x-www-form-urlencoded'],
    ['multipart/form-data; boundary=x'],
    ['text/json'],
    ['application/json-patch+json'],
    ['application/json; charset=iso-8859-1'],
  ])('answers 415 for a JSON body sent as %s', async (type) => {
    const { path, body } = await endpoint.prepare(world);
    const headers: Record<string, string> = { 'x-api-key': world.admin };
    if (type !== undefined) headers['content-type'] = type;

    await refusedCleanly(
      endpoint,
      { method: 'POST', path, headers, body: JSON.stringify(body ?? {}) },
      415,
    );
  });

  it('answers 415 for a compressed body', async () => {
    const { path, body } = await endpoint.prepare(world);
    const headers = { ...jsonHeaders(world.admin), 'content-encoding': 'gzip' };

    await refusedCleanly(
      endpoint,
      { method: 'POST', path, headers, body: JSON.stringify(body ?? {}) },
      415,
    );
  });

  it.each([
    ['an array', '['.repeat(10_000) + ']'.repeat(10_000)],
    ['an object', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)],
  ])('refuses %s nested 10 000 deep and keeps running', async (kind, text) => {
    const { path } = await endpoint.prepare(world);

    await refused(
      endpoint,
      { method: 'POST', path, headers: jsonHeaders(world.admin), body: text },
      kind === 'an array',
      'max_depth',
    );
    expect((await send(world.url, { method: 'GET', path: '/api/v1/health' })).status).toBe(200);
  });

  it.each([
    '{"__proto__":{"role":"admin"}}',
    '{"constructor":{"prototype":{"role":"admin"}}}',
    '{"\\u005f\\u005fproto\\u005f\\u005f":{"role":"admin"}}',
    '[{"__proto__":{"role":"admin"}}]',
    '{"data":{"deep":{"__proto__":{"role":"admin"}}}}',
  ])('refuses prototype keys: %s', async (text) => {
    const { path } = await endpoint.prepare(world);

    const res = await refusedCleanly(
      endpoint,
      { method: 'POST', path, headers: jsonHeaders(world.admin), body: text },
      400,
    );
    expect(res.json().error.rule).toBe('forbidden_key');
  });

  it('refuses NUL characters and unpaired surrogates in every string field', async () => {
    const prepared = await endpoint.prepare(world);
    for (const field of stringFields(prepared.body)) {
      for (const raw of ['"a\\u0000b"', '"a\\ud800b"', '"\\udfff"']) {
        const body = bodyWith(prepared.body, field, raw);
        await refused(
          endpoint,
          { method: 'POST', path: prepared.path, headers: jsonHeaders(world.admin), body },
          Array.isArray(prepared.body),
        );
      }
    }
  });

  it('refuses raw NUL bytes and bytes that are not UTF-8', async () => {
    const { path } = await endpoint.prepare(world);
    const headers = jsonHeaders(world.admin);

    for (const body of [
      Buffer.from('{"a":"x\u0000y"}'),
      Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]),
    ]) {
      await refusedCleanly(endpoint, { method: 'POST', path, headers, body }, 400);
    }
  });

  it('refuses numbers that cannot be kept exactly in every number field', async () => {
    const prepared = await endpoint.prepare(world);
    for (const field of numberFields(prepared.body)) {
      for (const raw of ['1e400', '-1e400', '12345678901234567890']) {
        const body = bodyWith(prepared.body, field, raw);
        await refused(
          endpoint,
          { method: 'POST', path: prepared.path, headers: jsonHeaders(world.admin), body },
          Array.isArray(prepared.body),
        );
      }
    }
  });
});

describe('numbers at the edges', () => {
  async function postEvent(text: string): Promise<RawResponse> {
    const { playSessionId } = await world.newPlaySession();
    return send(world.url, {
      method: 'POST',
      path: `/api/v1/events?play_session_id=${playSessionId}`,
      headers: jsonHeaders(world.a.ingest),
      body: text,
    });
  }

  it('stores -0 as zero', async () => {
    const event = { event_type: 1, x: '__X__', timestamp: new Date().toISOString() };
    const res = await postEvent(JSON.stringify(event).replace('"__X__"', '-0'));

    expect(res.status).toBe(201);
    expect(res.json().x).toBe(0);
    const row = await world.pool.query('select x from events where id = $1', [res.json().id]);
    expect(row.rows[0].x === 0).toBe(true);
  });

  it('accepts -0.0e0 as event type 0', async () => {
    const text = `{"event_type":-0.0e0,"timestamp":"${new Date().toISOString()}"}`;

    expect((await postEvent(text)).status).toBe(201);
  });

  it.each(['NaN', 'Infinity', '-Infinity', '0x10', '1_000', '+1', '.5'])(
    'refuses %s, which JSON does not have',
    async (raw) => {
      const res = await postEvent(
        `{"event_type":${raw},"timestamp":"${new Date().toISOString()}"}`,
      );

      expect(res.status).toBe(400);
      expect(res.json().error.code).toBe('invalid_json');
    },
  );
});

it('never answers a refusal with the prototype it was sent', async () => {
  const res = await world.call('GET', '/api/v1/keys', undefined, world.a.ingest);

  expect(res.status).toBe(403);
  expect(res.text).not.toContain('"role":"admin"');
});
