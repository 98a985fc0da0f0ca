import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { RegisteredRoute } from '../../src/http/route-registry.js';
import { createTestApp } from '../helpers/app.js';
import { changedTables, readState } from './support/db-state.js';
import {
  callers,
  endpointFor,
  endpoints,
  expectedStatus,
  keyOf,
  type Endpoint,
} from './support/endpoints.js';
import { send } from './support/http.js';
import { openWorld, type World } from './support/world.js';

let world: World;
let routes: RegisteredRoute[];
beforeAll(async () => {
  world = await openWorld();
  routes = await routeList();
});
afterAll(() => world.close());

/** The routes as the app registers them, read from an in-process build of the same code. */
async function routeList(): Promise<RegisteredRoute[]> {
  const t = await createTestApp();
  try {
    return t.app.routeRegistry.map((route) => ({ ...route }));
  } finally {
    await t.close();
  }
}

describe('the expectation table', () => {
  it('covers every route the app registers, with the roles the route declares', async () => {
    const uncovered = routes.filter((r) => endpointFor(r.method, r.url) === undefined);
    expect(uncovered.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    for (const route of routes) {
      const declared = route.public || route.roles === null ? 'anyone' : [...route.roles];
      const table = endpointFor(route.method, route.url)!.access;
      expect([`${route.method} ${route.url}`, table]).toEqual([
        `${route.method} ${route.url}`,
        declared,
      ]);
    }
  });

  it('names no route the app does not have', async () => {
    const stale = endpoints.filter(
      (e) => !routes.some((r) => r.method === e.method && r.url === e.route),
    );
    expect(stale.map((e) => `${e.method} ${e.route}`)).toEqual([]);
  });

  it('covers every operation the running server publishes in its OpenAPI document', async () => {
    const doc = (await send(world.url, { method: 'GET', path: '/api/v1/openapi.json' })).json();

    const operations = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) =>
      Object.keys(item).map((method) => ({
        method: method.toUpperCase(),
        route: path.replace(/\{(\w+)\}/g, ':$1'),
      })),
    );
    const missing = operations.filter((op) => endpointFor(op.method, op.route) === undefined);
    expect(missing).toEqual([]);
  });
});

async function check(endpoint: Endpoint, method: string, caller: (typeof callers)[number]) {
  const prepared = await endpoint.prepare(world);
  const expected = expectedStatus(endpoint, caller, prepared.ok);
  const key = keyOf(world, caller);
  const before = await readState(world.pool);

  const res = await send(world.url, {
    method,
    path: prepared.path,
    headers: {
      ...(prepared.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(key === undefined ? {} : { 'x-api-key': key }),
      ...prepared.headers,
    },
    body: prepared.body === undefined ? undefined : JSON.stringify(prepared.body),
  });

  expect([caller, res.status, res.text.slice(0, 300)]).toEqual([
    caller,
    expected,
    expect.any(String),
  ]);
  if (expected === 401 || expected === 403) {
    expect(changedTables(before, await readState(world.pool))).toEqual([]);
  }
}

const cases = endpoints.flatMap((endpoint) => {
  const methods = endpoint.method === 'GET' ? ['GET', 'HEAD'] : [endpoint.method];
  return methods.map((method) => ({ name: `${method} ${endpoint.route}`, endpoint, method }));
});

describe.each(cases)('$name', ({ endpoint, method }) => {
  it.each(callers)('answers a %s caller as the table says', async (caller) => {
    await check(endpoint, method, caller);
  });
});
