import { describe, expect, it } from 'vitest';

import { MemoryStorage, WebTics } from '../../../sdk/web/src/webtics.js';
import type { RejectedEvent } from '../../../sdk/web/src/webtics.js';
import {
  loadWireFixtures,
  matchValue,
  materialize,
  type Captures,
  type Exchange,
  type ScriptStep,
  type Vars,
  type WireFixture,
} from '../fixture-match.js';
import { FakeClock } from './support/fake-clock.js';
import { reply, toSeen } from './support/fake-server.js';

// Plays the SDK against each wire fixture: a fake fetch checks every request
// against the next exchange and answers with the fixture's answer. Time is
// virtual, so a min_wait_ms is checked against the waits the SDK chose.

interface Run {
  fixture: WireFixture;
  clock: FakeClock;
  captures: Captures;
  vars: Vars;
  problems: string[];
  next: number;
  lastAnswerAt: number | undefined;
}

describe('the web SDK against the wire fixtures', () => {
  const fixtures = loadWireFixtures();

  it('finds the fixtures', () => {
    expect(fixtures.map((fixture) => fixture.name)).toEqual(
      expect.arrayContaining(['happy-path', 'retry-after-503', 'permanent-rejection', 'consent']),
    );
  });

  for (const fixture of fixtures) {
    it(`${fixture.name} (${fixture.file})`, async () => {
      const run: Run = {
        fixture,
        clock: new FakeClock(),
        captures: {},
        vars: { api_key: 'wt_fixture_key', session_id: 41, play_session_id: 77 },
        problems: [],
        next: 0,
        lastAnswerAt: undefined,
      };
      run.clock.wallOffsetMs = Number(fixture.config?.clock_offset_ms ?? 0);
      const rejected: RejectedEvent[] = [];
      const client = makeClient(run, rejected);

      for (const step of fixture.script) await perform(client, run, step);

      expect(run.problems).toEqual([]);
      expect(run.next, 'every exchange happened').toBe(fixture.exchanges.length);
      checkExpectations(run, client, rejected);
    });
  }
});

function makeClient(run: Run, rejected: RejectedEvent[]): WebTics {
  const config = run.fixture.config ?? {};
  return new WebTics({
    url: 'https://webtics.test',
    apiKey: String(run.vars.api_key),
    buildNumber: '1.0.0',
    fetch: (input, init) => answer(run, input as string, init),
    clock: run.clock,
    storage: new MemoryStorage(),
    locks: null,
    watchLifecycle: false,
    flushIntervalMs: 3_600_000,
    batchSize: Number(config.batch_size ?? 50),
    retry: { maxAttempts: Number(config.max_attempts ?? 5) },
    onRejected: (events) => rejected.push(...events),
    onError: () => undefined,
  });
}

async function answer(run: Run, input: string, init: RequestInit = {}): Promise<Response> {
  const seen = toSeen(input, init);
  const index = run.next++;
  const exchange: Exchange | undefined = run.fixture.exchanges[index];
  if (exchange === undefined) {
    run.problems.push(`an extra request: ${seen.method} ${seen.path}`);
    throw new TypeError('no exchange left in the fixture');
  }

  const where = `exchange ${index} (${exchange.note ?? 'no note'})`;
  const mismatches = matchValue(exchange.request, seen, run.captures, run.vars, 'request');
  run.problems.push(...mismatches.map((problem) => `${where}: ${problem}`));
  checkWait(run, exchange, where);

  run.lastAnswerAt = run.clock.elapsed;
  const response = exchange.response;
  if ('network_error' in response) throw new TypeError('fetch failed');
  const body = materialize(response.body, run.captures, run.vars);
  // The server names every answer by its request id; injected answers stand
  // for the server's, and the SDK trusts an error body only with an id.
  const headers = { 'x-request-id': `fixture-${index}`, ...response.headers };
  return reply(response.status, body, headers);
}

function checkWait(run: Run, exchange: Exchange, where: string): void {
  if (exchange.min_wait_ms === undefined || run.lastAnswerAt === undefined) return;

  const waited = run.clock.elapsed - run.lastAnswerAt;
  if (waited < exchange.min_wait_ms) {
    run.problems.push(
      `${where}: sent after ${waited} ms, before min_wait_ms ${exchange.min_wait_ms}`,
    );
  }
}

async function perform(client: WebTics, run: Run, step: ScriptStep): Promise<void> {
  const args = materialize(step, run.captures, run.vars) as Record<string, unknown>;
  const outcome = Promise.resolve().then(() => call(client, run, args));
  if (step.fails) {
    await expect(outcome, `${step.call} must fail`).rejects.toBeDefined();
  } else {
    await outcome;
  }
}

function call(client: WebTics, run: Run, args: Record<string, unknown>): unknown {
  const text = (name: string) => args[name] as string;
  const number = (name: string) => args[name] as number | undefined;
  switch (args.call) {
    case 'start_session':
      return client.startSession(text('unique_id'), text('build_number'));
    case 'start_play':
      return client.startPlay();
    case 'log':
      return client.log(args.event_type as number, {
        subtype: number('event_subtype'),
        x: number('x'),
        y: number('y'),
        z: number('z'),
        magnitude: number('magnitude'),
        data: args.data as Record<string, unknown> | undefined,
      });
    case 'flush':
      return client.flush();
    case 'close_play':
      return client.closePlay();
    case 'end_session':
      return client.endSession();
    case 'completeness':
      return client.completeness();
    case 'resume_sending':
      return client.resumeSending();
    case 'consent':
      return client.consent({
        consentVersion: text('consent_version'),
        ageRange: text('age_range'),
      });
    case 'my_data':
      return client.myData(text('code'));
    case 'withdraw':
      return client.withdraw(text('code'));
    case 'advance_clock':
      return run.clock.advance(number('ms') ?? 0);
    default:
      throw new Error(`The fixture runner does not know the call ${String(args.call)}`);
  }
}

function checkExpectations(run: Run, client: WebTics, rejected: RejectedEvent[]): void {
  const expected = run.fixture.expect;
  if (expected?.pending_events !== undefined) {
    expect(client.pendingEvents, 'events left queued').toBe(expected.pending_events);
  }
  if (expected?.rejected !== undefined) {
    expect(matchValue(expected.rejected, rejected, run.captures, run.vars, 'rejected')).toEqual([]);
  }
}
