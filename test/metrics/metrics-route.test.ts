import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { metrics, watchDatabasePool } from '../../src/metrics/metrics.js';
import { createTestApp, withKey, type TestApp } from '../helpers/app.js';
import { makeEvent, makePlaySession, makeStudyWithKeys } from '../helpers/factories.js';
import { onServer } from '../helpers/database.js';
import { sample } from './sample.js';

describe('GET /metrics', () => {
  let t: TestApp;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  let playSessionId: number;

  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    keys = await makeStudyWithKeys(t.db, 'alpha');
    playSessionId = (await makePlaySession(t.db, 'alpha')).playSession.id;
  });
  afterAll(() => t.close());

  const scrape = async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: withKey(keys.admin),
    });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  const sendBatch = (body: unknown[]) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/events/batch?play_session_id=${playSessionId}`,
      headers: withKey(keys.ingest),
      payload: JSON.stringify(body),
    });

  it('answers 401 without a key and 403 for an ingest or researcher key', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/metrics' });
    const ingest = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: withKey(keys.ingest),
    });
    const researcher = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: withKey(keys.researcher),
    });

    expect(none.statusCode).toBe(401);
    expect(none.body).not.toContain('webtics_');
    expect(ingest.statusCode).toBe(403);
    expect(researcher.statusCode).toBe(403);
  });

  it('serves Prometheus text to an admin key, with process memory', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: withKey(keys.admin),
    });

    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toMatch(/^# HELP webtics_http_requests_total /m);
    expect(sample(res.body, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(res.body, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('counts requests by route pattern and status, and times them', async () => {
    const before = await scrape();
    const health = { method: 'GET', route: '/api/v1/health', status: '200' };
    const unknown = { route: 'none', status: '404' };
    const counted = (text: string, labels: Record<string, string>) =>
      sample(text, 'webtics_http_requests_total', labels);
    const timed = (text: string) =>
      sample(text, 'webtics_http_request_duration_seconds_count', {
        method: 'GET',
        route: '/api/v1/health',
      });
    await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    await t.app.inject({ method: 'GET', url: '/no/such/page' });
    await t.app.inject({
      method: 'GET',
      url: '/api/v1/studies/nope-1',
      headers: withKey(keys.admin),
    });

    const after = await scrape();

    expect(counted(after, health)).toBe(counted(before, health) + 2);
    expect(timed(after)).toBe(timed(before) + 2);
    expect(counted(after, unknown)).toBe(counted(before, unknown) + 1);
    expect(after).not.toMatch(/no\/such|nope-1/);
  });

  it('counts events stored, duplicate and rejected by rule', async () => {
    const before = await scrape();
    const repeated = makeEvent();
    await sendBatch([repeated, makeEvent(), makeEvent({ magnitude: -1 }), makeEvent({ x: 'a' })]);
    await sendBatch([repeated]);

    const after = await scrape();

    const delta = (name: string, labels?: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(delta('webtics_events_stored_total')).toBe(2);
    expect(delta('webtics_events_duplicate_total')).toBe(1);
    expect(delta('webtics_events_rejected_total', { rule: 'range' })).toBe(1);
    expect(delta('webtics_events_rejected_total', { rule: 'type' })).toBe(1);
  });

  it('shows rate-limit refusals that other modules count', async () => {
    metrics.rateLimited.inc({ route: '/api/v1/events/batch' });

    expect(
      sample(await scrape(), 'webtics_rate_limited_total', { route: '/api/v1/events/batch' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports the database connections of the watched pool', async () => {
    watchDatabasePool(() => ({ kind: t.database.kind, ...t.database.poolStats() }));

    const text = await scrape();

    const kind = onServer ? 'server' : 'memory';
    expect(sample(text, 'webtics_db_connections', { kind, state: 'total' })).toBeGreaterThan(0);
    expect(sample(text, 'webtics_db_connections', { kind, state: 'waiting' })).toBe(0);
  });
});
