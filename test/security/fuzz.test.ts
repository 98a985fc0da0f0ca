import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { changedTables, readState, type DatabaseState } from './support/db-state.js';
import {
  endpoints,
  mayChangeOnRefusal,
  type Endpoint,
  type Prepared,
} from './support/endpoints.js';
import { jsonHeaders, send } from './support/http.js';
import { openWorld, type World } from './support/world.js';

/** Per endpoint: about 3000 requests in all, each followed by one read of the database. */
const numRuns = 200;

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.close());

const anyJson = fc.jsonValue({ maxDepth: 4 });

/** Values that sit on an edge of some rule, or that no rule should let through. */
const edgeValue = fc.oneof(
  anyJson,
  fc.constantFrom(
    -0,
    0.5,
    -1,
    999,
    1000,
    10_000,
    10_001,
    2 ** 53 + 2,
    1e308,
    '',
    'a\u0000b',
    '\ud800',
    '<b>x</b>',
    "' OR 1=1 --",
    '2026-02-30T00:00:00Z',
    '9999-01-01T00:00:00Z',
    '__proto__',
    null,
  ),
);

type Json = Record<string, unknown>;

/** The valid body with one field changed, added or taken away. */
function mutated(template: Json): fc.Arbitrary<Json> {
  const key = fc.oneof(fc.constantFrom(...Object.keys(template)), fc.string({ maxLength: 12 }));
  return fc.record({ key, value: edgeValue, drop: fc.boolean() }).map(({ key, value, drop }) => {
    const copy: Json = { ...template };
    if (drop) delete copy[key];
    else Object.defineProperty(copy, key, { value, enumerable: true, writable: true });
    return copy;
  });
}

function bodies(prepared: Prepared): fc.Arbitrary<unknown> {
  const body = prepared.body;
  if (Array.isArray(body)) {
    const item = fc.oneof(anyJson, mutated(body[0] as Json));
    return fc.oneof(anyJson, fc.array(item, { maxLength: 5 }));
  }
  if (typeof body === 'object' && body !== null) return fc.oneof(anyJson, mutated(body as Json));
  return anyJson;
}

function queries(prepared: Prepared): fc.Arbitrary<string> {
  const [base = '', query = ''] = prepared.path.split('?');
  const names = [...new URLSearchParams(query).keys(), 'limit', 'before_id'];
  const name = fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 }));
  // JSON text, not String(): generated objects may carry a `toString` key.
  const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
  const value = fc.oneof(fc.string({ maxLength: 20 }), edgeValue.map(asText));
  return fc
    .dictionary(name, value, { maxKeys: 3 })
    .map(
      (params) =>
        `${base}?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(query)), ...params }).toString()}`,
    );
}

/**
 * Sends one generated request and compares the database with its state after
 * the previous one (runs are sequential), so each run costs one read.
 */
function checker(endpoint: Endpoint, start: DatabaseState) {
  let last = start;
  return async ({ path, body }: { path: string; body: unknown }) => {
    const res = await send(world.url, {
      method: endpoint.method,
      path,
      headers: jsonHeaders(world.admin),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const label = `${res.status} ${res.text.slice(0, 300)}`;
    const before = last;
    last = await readState(world.pool);

    expect(res.status, label).toBeLessThan(500);
    if (res.status >= 400) {
      const allowed = mayChangeOnRefusal(endpoint, res.status);
      const changed = changedTables(before, last).filter((name) => !allowed.includes(name));
      expect(changed, label).toEqual([]);
    }
  };
}

const fuzzed = endpoints.filter((e) => e.access !== 'anyone');

describe.each(fuzzed)('$method $route', (endpoint) => {
  it(`never answers generated input with a 5xx, and stores nothing on a 4xx (${numRuns} runs)`, async () => {
    const prepared = await endpoint.prepare(world);
    const input =
      endpoint.method === 'GET'
        ? queries(prepared).map((path) => ({ path, body: undefined }))
        : bodies(prepared).map((body) => ({ path: prepared.path, body }));

    await fc.assert(fc.asyncProperty(input, checker(endpoint, await readState(world.pool))), {
      numRuns,
    });
  });
});
