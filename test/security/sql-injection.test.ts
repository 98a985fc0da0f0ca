import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { endpoints } from './support/endpoints.js';
import { jsonHeaders, send, type RawResponse } from './support/http.js';
import { readState } from './support/db-state.js';
import { variantsOf } from './support/variants.js';
import { openWorld, type World } from './support/world.js';

let world: World;
beforeAll(async () => {
  world = await openWorld();
});
afterAll(() => world.close());

/** Classic payloads; the pg_sleep ones would show as a slow answer if any reached SQL as code. */
const payloads = [
  "' OR '1'='1",
  "1' OR '1'='1' --",
  '1 OR 1=1',
  '1; DROP TABLE events; --',
  "'); DELETE FROM studies; --",
  "1' UNION SELECT hash, prefix FROM api_keys --",
  "1'; SELECT pg_sleep(3); --",
  '1); SELECT pg_sleep(3); --',
  '$1',
  "\\'; TRUNCATE api_keys CASCADE; --",
  '1::text',
];

const slowMs = 2_500;

/** A 400, or a batch that reports its first event as rejected (batches are judged per event). */
function refused(res: RawResponse): boolean {
  if (res.status === 400) return true;
  const rejected = res.status === 200 ? res.json().rejected : undefined;
  return Array.isArray(rejected) && rejected.some((item: { index: number }) => item.index === 0);
}

describe.each(endpoints.filter((e) => e.access !== 'anyone'))('$method $route', (endpoint) => {
  it('treats SQL in every string and number field as plain data', async () => {
    const prepared = await endpoint.prepare(world);

    for (const payload of payloads) {
      for (const variant of variantsOf(endpoint, prepared, payload)) {
        const started = Date.now();
        const res = await send(world.url, {
          method: endpoint.method,
          path: variant.path,
          headers: jsonHeaders(world.admin),
          body: variant.body === undefined ? undefined : JSON.stringify(variant.body),
        });
        const label = `${variant.where} = ${payload}: ${res.status} ${res.text.slice(0, 200)}`;

        expect(res.status < 500, label).toBe(true);
        expect(Date.now() - started < slowMs, `slow answer for ${label}`).toBe(true);
        if (variant.wasNumber) expect(refused(res), label).toBe(true);
        const answer = res.status < 300 && res.text !== '' ? res.json() : undefined;
        if (variant.field !== undefined && answer?.[variant.field] !== undefined) {
          expect(answer[variant.field], label).toBe(payload);
        }
      }
    }
  });
});

it('leaves every table in place and every key working', async () => {
  const state = await readState(world.pool);

  expect(Object.keys(state)).toEqual(
    expect.arrayContaining(['studies', 'api_keys', 'metric_sessions', 'play_sessions', 'events']),
  );
  expect(state.studies!.rows).toBeGreaterThanOrEqual(3);
  const res = await world.call(
    'GET',
    `/api/v1/studies/${world.a.studyId}`,
    undefined,
    world.a.researcher,
  );
  expect(res.status).toBe(200);
});
