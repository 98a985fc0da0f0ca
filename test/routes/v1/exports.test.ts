import { createHash } from 'node:crypto';

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestApp, withKey, type TestApp } from '../../helpers/app.js';
import { makeEvent, makeStudyWithKeys } from '../../helpers/factories.js';

describe('exports', () => {
  let t: TestApp;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    keys = await makeStudyWithKeys(t.db, 'alpha');
    await seed('p-one', '1.0', [
      makeEvent({ magnitude: 300 }),
      makeEvent({ event_type: 106, magnitude: undefined, data: { note: '=HYPERLINK("x")' } }),
    ]);
    await seed('p-two', '2.0', [makeEvent({ magnitude: 420 })]);
  });
  afterAll(() => t.close());

  const post = (url: string, body: unknown) =>
    t.app.inject({
      method: 'POST',
      url,
      headers: withKey(keys.ingest),
      payload: JSON.stringify(body),
    });
  const get = (url: string, key = keys.researcher) =>
    t.app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });

  async function seed(participant: string, build: string, events: unknown[]) {
    const session = (
      await post('/api/v1/sessions', { unique_id: participant, build_number: build })
    ).json();
    const play = (await post('/api/v1/play-sessions', { metric_session_id: session.id })).json();
    await post(`/api/v1/events/batch?play_session_id=${play.id}`, events);
  }

  it('streams events as CSV with a header, a safe file name and neutralised formulas', async () => {
    const res = await get('/api/v1/studies/alpha/export/events.csv');

    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="webtics-alpha-events-\d{8}T\d{6}Z\.csv"$/,
    );
    const lines = res.body.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'event_id,session_id,play_session_id,participant_id,build_number,event_type,event_subtype,x,y,z,magnitude,data,timestamp,received_at,client_event_id,sequence,monotonic_ms,client_sent_at,clock_offset_ms,corrected_time',
    );
    expect(lines).toHaveLength(4);
    expect(res.body).toContain('"{""note"":""=HYPERLINK(\\""x\\"")""}"');
    expect(lines[2]).toMatch(/^2,1,1,p-one,1\.0,106,,,,,,/);
  });

  it('streams NDJSON, one event object a line, with missing values as null', async () => {
    const res = await get('/api/v1/studies/alpha/export/events.ndjson');

    const rows = res.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatchObject({ event_type: 106, magnitude: null, participant_id: 'p-one' });
  });

  it('filters by participant, build, event type and time', async () => {
    const byParticipant = await get('/api/v1/studies/alpha/export/events.ndjson?participant=p-two');
    const byBuild = await get(
      '/api/v1/studies/alpha/export/events.ndjson?build=1.0&event_type=102',
    );
    const future = await get(
      '/api/v1/studies/alpha/export/events.ndjson?from=2099-01-01T00:00:00Z',
    );

    expect(byParticipant.body.trimEnd().split('\n')).toHaveLength(1);
    expect(
      byBuild.body
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).magnitude),
    ).toEqual([300]);
    expect(future.body).toBe('');
  });

  it('pages through more rows than one query fetches, each row once', async () => {
    const batch = () =>
      Array.from({ length: 1000 }, () => makeEvent({ event_type: 7, magnitude: undefined }));
    await seed('p-many', '3.0', batch());
    const play = (
      await t.db
        .selectFrom('play_sessions')
        .select('id')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow()
    ).id;
    await post(`/api/v1/events/batch?play_session_id=${play}`, batch());
    await post(`/api/v1/events/batch?play_session_id=${play}`, batch().slice(0, 500));

    const res = await get('/api/v1/studies/alpha/export/events.ndjson');

    const ids = res.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).event_id as number);
    expect(ids).toHaveLength(2503);
    expect(new Set(ids).size).toBe(2503);
  });

  it('exports sessions, play sessions and consents', async () => {
    await post('/api/v1/research/consent', { consent_version: '1', age_range: '18-25' });

    const sessions = await get('/api/v1/studies/alpha/export/sessions.csv');
    const plays = await get('/api/v1/studies/alpha/export/play-sessions.ndjson');
    const consents = await get('/api/v1/studies/alpha/export/consents.ndjson');

    expect(sessions.body.trimEnd().split('\r\n')).toHaveLength(3);
    expect(plays.body.trimEnd().split('\n')).toHaveLength(2);
    const consent = JSON.parse(consents.body);
    expect(consent).toMatchObject({ age_range: '18-25', consent_version: '1' });
    expect(Object.keys(consent)).not.toContain('code_lookup');
  });

  it('exports rejected events with their rule, sequence and id, and counts them per play', async () => {
    const id = '6f1c2f8e-8b9a-4b7e-9d57-2b1f0c9e0a11';
    await seed('p-three', '3.0', [
      makeEvent({ sequence: 1 }),
      makeEvent({ sequence: 2, magnitude: 20_000, client_event_id: id.toUpperCase() }),
      makeEvent({ sequence: '3', client_event_id: 'not-a-uuid', event_type: 105 }),
    ]);

    const rejected = await get('/api/v1/studies/alpha/export/rejected-events.ndjson');
    const onlyRange = await get(
      '/api/v1/studies/alpha/export/rejected-events.ndjson?event_type=102&participant=p-three',
    );
    const plays = await get('/api/v1/studies/alpha/export/play-sessions.ndjson');

    const rows = rejected.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows).toEqual([
      expect.objectContaining({
        participant_id: 'p-three',
        build_number: '3.0',
        batch_index: 1,
        field: 'magnitude',
        rule: 'range',
        sequence: 2,
        client_event_id: id,
      }),
      expect.objectContaining({
        batch_index: 2,
        rule: 'format',
        sequence: null,
        client_event_id: null,
      }),
    ]);
    expect(onlyRange.body.trimEnd().split('\n')).toHaveLength(1);
    const counts = plays.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).rejected_events);
    expect(counts).toEqual([0, 0, 2]);
  });

  it.each(['events.xlsx', '..%2F..%2Fetc%2Fpasswd', 'events.csv%00.txt', 'events'])(
    'refuses the file %j',
    async (file) => {
      expect((await get(`/api/v1/studies/alpha/export/${file}`)).statusCode).toBe(400);
    },
  );

  it.each(['?from=yesterday', '?event_type=1000', '?participant=a%20b', '?extra=1'])(
    'refuses the filter %s',
    async (query) => {
      expect((await get(`/api/v1/studies/alpha/export/events.csv${query}`)).statusCode).toBe(400);
    },
  );

  it("refuses the ingest key and another study's researcher", async () => {
    const beta = await makeStudyWithKeys(t.db, 'beta');

    expect((await get('/api/v1/studies/alpha/export/events.csv', keys.ingest)).statusCode).toBe(
      403,
    );
    expect((await get('/api/v1/studies/alpha/export/events.csv', beta.researcher)).statusCode).toBe(
      403,
    );
  });

  it('writes each export to the audit trail with what was asked and how many rows', async () => {
    await get('/api/v1/studies/alpha/export/events.csv?build=1.0');

    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'export')
      .execute();
    expect(audit).toEqual([
      {
        action: 'export',
        details: { dataset: 'events', format: 'csv', filters: { build: '1.0' }, rows: 2 },
      },
    ]);
  });

  it('gives a manifest whose hashes and counts match the downloads', async () => {
    const manifest = (await get('/api/v1/studies/alpha/export/manifest?format=ndjson')).json();
    const events = await get('/api/v1/studies/alpha/export/events.ndjson');

    const entry = manifest.files.find((file: { dataset: string }) => file.dataset === 'events');
    expect(entry).toMatchObject({ rows: 3, path: 'events.ndjson' });
    expect(entry.sha256).toBe(createHash('sha256').update(events.rawPayload).digest('hex'));
    expect(manifest.server.name).toBe('webtics');
  });

  it('describes every column and the event catalogue with units in the codebook', async () => {
    const codebook = (await get('/api/v1/studies/alpha/export/codebook')).json();

    const events = codebook.datasets.find((d: { name: string }) => d.name === 'events');
    expect(events.columns.map((c: { name: string }) => c.name)).toContain('magnitude');
    expect(codebook.event_catalogue).toContainEqual({
      event_type: 102,
      name: 'CORRECT_RESPONSE',
      magnitude: { meaning: 'reaction time', unit: 'ms', min: 0, max: 10000, required: true },
    });
  });
});
