import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import {
  loadWireFixtures,
  materialize,
  matchValue,
  type Captures,
  type Exchange,
  type Vars,
} from '../../sdk/fixture-match.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { makeStudyWithKeys } from '../../helpers/factories.js';

// The SDKs are held to the request/response sequences in sdk/fixtures/wire.
// Here the server is: every request a fixture marks as reaching the server is
// sent to the real application, and where the fixture says the server gave
// the answer, the answer must match it.

const fixtures = loadWireFixtures();

describe('the server keeps the wire fixtures', () => {
  let t: TestApp;
  let vars: Vars;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    const keys = await makeStudyWithKeys(t.db, 'alpha');
    vars = { api_key: keys.ingest };
  });
  afterAll(() => t.close());

  it('has fixtures to replay, each with answers from the server', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(8);
    for (const fixture of fixtures) {
      expect(
        fixture.exchanges.some((exchange) => exchange.server),
        fixture.file,
      ).toBe(true);
    }
  });

  async function replay(
    exchange: Exchange,
    captures: Captures,
    clockOffsetMs: number,
  ): Promise<string[]> {
    // A fixture may play a device whose clock is off: its times are made on that clock.
    const options = { now: () => new Date(Date.now() + clockOffsetMs) };
    const request = exchange.request;
    const headers = materialize(request.headers ?? {}, captures, vars, options) as Record<
      string,
      string
    >;
    const body =
      request.body === undefined ? undefined : materialize(request.body, captures, vars, options);
    const res = await t.app.inject({
      method: request.method as 'GET' | 'POST',
      url: materialize(request.path, captures, vars) as string,
      headers,
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    if (!exchange.server || 'network_error' in exchange.response) return [];

    const expected = exchange.response;
    const problems =
      res.statusCode === expected.status
        ? []
        : [`status: expected ${expected.status}, got ${res.statusCode} (${res.body})`];
    const answer = res.body === '' ? undefined : (JSON.parse(res.body) as unknown);
    problems.push(...matchValue(expected.body ?? {}, answer ?? {}, captures, vars, 'body'));
    problems.push(...matchValue(expected.headers ?? {}, res.headers, captures, vars, 'headers'));
    return problems;
  }

  it.each(fixtures.map((fixture) => [fixture.file, fixture] as const))(
    '%s',
    async (_file, fixture) => {
      const captures: Captures = {};
      const clockOffsetMs = Number(fixture.config?.clock_offset_ms ?? 0);
      for (const [index, exchange] of fixture.exchanges.entries()) {
        if (!exchange.server && !exchange.reached_server) continue;
        const problems = await replay(exchange, captures, clockOffsetMs);
        expect(problems, `exchange ${index}: ${exchange.note ?? ''}`).toEqual([]);
      }
    },
  );
});
