import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { verifyAuditChain } from '../../../../src/data/audit-log.js';
import { verifyReceipt } from '../../../../src/research/receipt.js';
import { createTestApp, withKey, type TestApp } from '../../../helpers/app.js';
import { makeEvent, makeStudyWithKeys } from '../../../helpers/factories.js';

describe('consent, withdrawal and participant access', () => {
  let t: TestApp;
  let keys: Awaited<ReturnType<typeof makeStudyWithKeys>>;
  beforeAll(async () => {
    t = await createTestApp();
  });
  beforeEach(async () => {
    await t.reset();
    keys = await makeStudyWithKeys(t.db, 'alpha');
  });
  afterAll(() => t.close());

  // Participant routes allow a few attempts per address and minute; each call
  // here comes from its own address, and one test checks the limit itself.
  let client = 0;
  const post = (
    url: string,
    body: unknown,
    key?: string,
    remoteAddress = `10.9.${++client >> 8}.${client & 255}`,
  ) =>
    t.app.inject({
      method: 'POST',
      url,
      remoteAddress,
      headers: key === undefined ? { 'content-type': 'application/json' } : withKey(key),
      payload: JSON.stringify(body),
    });

  async function consent(key = keys.ingest) {
    const res = await post(
      '/api/v1/research/consent',
      { consent_version: 'v2.1', age_range: '18-25', condition: 'ADHD' },
      key,
    );
    expect(res.statusCode).toBe(201);
    return res.json<{ participant_id: string; withdrawal_code: string }>();
  }

  /** A participant's session with one play session and `events` events (one of them rejected). */
  async function play(participantId: string, events: number) {
    const session = (
      await post('/api/v1/sessions', { unique_id: participantId, build_number: '1' }, keys.ingest)
    ).json();
    const playSession = (
      await post('/api/v1/play-sessions', { metric_session_id: session.id }, keys.ingest)
    ).json();
    const batch = [
      ...Array.from({ length: events }, () => makeEvent()),
      makeEvent({ magnitude: -1 }),
    ];
    await post(`/api/v1/events/batch?play_session_id=${playSession.id}`, batch, keys.ingest);
    return session.id as number;
  }

  const count = async (table: 'metric_sessions' | 'play_sessions' | 'events' | 'rejected_events') =>
    (
      await t.db
        .selectFrom(table)
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow()
    ).n;

  it('records a consent and answers a participant id and a code, keeping only a hash of the code', async () => {
    const given = await consent();

    expect(given.participant_id).toMatch(/^p-[0-9a-z]{12}$/);
    const row = await t.db.selectFrom('consents').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ study_id: 'alpha', age_range: '18-25', consent_version: 'v2.1' });
    const stored = JSON.stringify({ ...row, code_lookup: row.code_lookup.toString('hex') });
    expect(stored).not.toContain(given.withdrawal_code.replace(/-/g, '').slice(0, 12));
  });

  it('erases a participant with several sessions and leaves another participant untouched', async () => {
    const leaving = await consent();
    const staying = await consent();
    await play(leaving.participant_id, 3);
    await play(leaving.participant_id, 2);
    const kept = await play(staying.participant_id, 4);

    const res = await post('/api/v1/research/withdraw', { code: leaving.withdrawal_code });

    expect(res.statusCode).toBe(200);
    expect(res.json().receipt).toMatchObject({
      study_id: 'alpha',
      erased: { sessions: 2, play_sessions: 2, events: 5, rejected_events: 2 },
    });
    expect(await count('metric_sessions')).toBe(1);
    expect(await count('events')).toBe(4);
    expect(await count('rejected_events')).toBe(1);
    const rest = await t.db.selectFrom('metric_sessions').select('id').executeTakeFirstOrThrow();
    expect(rest.id).toBe(kept);
  });

  it('keeps only a non-identifying record of the consent', async () => {
    const given = await consent();
    await post('/api/v1/research/withdraw', { code: given.withdrawal_code });

    const row = await t.db.selectFrom('consents').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ age_range: null, condition: null, recruitment_site: null });
    expect(row.withdrawn_at).toBeInstanceOf(Date);
    expect(row.erased_at).toBeInstanceOf(Date);
  });

  it('signs a receipt that checks against the published key', async () => {
    const given = await consent();

    const receipt = (
      await post('/api/v1/research/withdraw', { code: given.withdrawal_code })
    ).json();
    const key = (await t.app.inject({ method: 'GET', url: '/api/v1/research/receipt-key' })).json();

    expect(key.key_id).toBe(receipt.receipt.key_id);
    expect(verifyReceipt(receipt, key.public_key_pem)).toBe(true);
  });

  it('refuses new sessions for a withdrawn participant id', async () => {
    const given = await consent();
    await post('/api/v1/research/withdraw', { code: given.withdrawal_code });

    const res = await post(
      '/api/v1/sessions',
      { unique_id: given.participant_id, build_number: '1' },
      keys.ingest,
    );

    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/withdrawn/);
  });

  it.each([
    ['malformed', 'abc', 400, 'malformed'],
    ['unknown', null, 404, undefined],
  ])('answers a %s code clearly and records the attempt', async (_name, code, status, rule) => {
    const unknown = (await consent()).withdrawal_code;
    await t.db.deleteFrom('consents').execute();

    const res = await post('/api/v1/research/withdraw', { code: code ?? unknown });

    expect(res.statusCode).toBe(status);
    expect(res.json().error.rule).toBe(rule);
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'details'])
      .where('action', '=', 'withdrawal.refused')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('tells a mistyped code apart from an unknown one', async () => {
    const code = (await consent()).withdrawal_code;
    const typo = (code[0] === 'A' ? 'B' : 'A') + code.slice(1);

    const res = await post('/api/v1/research/withdraw', { code: typo });

    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ field: 'code', rule: 'mistyped' });
  });

  it('answers a reused code with 409 and erases nothing more', async () => {
    const given = await consent();
    await post('/api/v1/research/withdraw', { code: given.withdrawal_code });

    const again = await post('/api/v1/research/withdraw', { code: given.withdrawal_code });

    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('already_withdrawn');
  });

  it('answers an unknown and a reused code after the same floor time', async () => {
    const given = await consent();
    await post('/api/v1/research/withdraw', { code: given.withdrawal_code });
    const unknownCode = (await consent()).withdrawal_code;
    await t.db.deleteFrom('consents').where('withdrawn_at', 'is', null).execute();

    const timed = async (code: string) => {
      const started = performance.now();
      await post('/api/v1/research/withdraw', { code });
      return performance.now() - started;
    };

    expect(await timed(unknownCode)).toBeGreaterThanOrEqual(395);
    expect(await timed(given.withdrawal_code)).toBeGreaterThanOrEqual(395);
  });

  it('allows five code attempts per client and minute, then answers 429 with Retry-After', async () => {
    const answers = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      answers.push(
        await post('/api/v1/research/withdraw', { code: 'guess' }, undefined, '10.99.0.1'),
      );
    }

    expect(answers.slice(0, 5).map((res) => res.statusCode)).toEqual([400, 400, 400, 400, 400]);
    expect(answers[5]!.statusCode).toBe(429);
    expect(answers[5]!.headers['retry-after']).toBeDefined();
  });

  it('lets a participant download all of their data with the code in the body', async () => {
    const given = await consent();
    await play(given.participant_id, 3);

    const res = await post('/api/v1/research/my-data', { code: given.withdrawal_code });

    expect(res.statusCode).toBe(200);
    expect(res.json().consent).toMatchObject({
      participant_id: given.participant_id,
      age_range: '18-25',
    });
    expect(res.json().sessions).toHaveLength(1);
    expect(res.json().events).toHaveLength(3);
    const audit = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'participant_download')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it('keeps the audit chain intact through consents and withdrawals', async () => {
    const given = await consent();
    await post('/api/v1/research/withdraw', { code: given.withdrawal_code });
    await post('/api/v1/research/withdraw', { code: given.withdrawal_code });

    const check = await verifyAuditChain(t.db);

    expect(check).toEqual({ ok: true, checked: 3 });
  });

  it('opens sessions in a consent-requiring study only for active participants', async () => {
    await t.db.updateTable('studies').set({ requires_consent: true }).execute();
    const given = await consent();

    const stranger = await post(
      '/api/v1/sessions',
      { unique_id: 'someone', build_number: '1' },
      keys.ingest,
    );
    const participant = await post(
      '/api/v1/sessions',
      { unique_id: given.participant_id, build_number: '1' },
      keys.ingest,
    );

    expect(stranger.statusCode).toBe(403);
    expect(stranger.json().error.message).toMatch(/requires consent/);
    expect(participant.statusCode).toBe(201);
  });

  it('counts a study', async () => {
    const leaving = await consent();
    const staying = await consent();
    await play(staying.participant_id, 2);
    await post('/api/v1/research/withdraw', { code: leaving.withdrawal_code });

    const res = await t.app.inject({
      method: 'GET',
      url: '/api/v1/research/study/alpha/stats',
      headers: { 'x-api-key': keys.researcher },
    });

    expect(res.json()).toEqual({
      study_id: 'alpha',
      consented: 2,
      active: 1,
      withdrawn: 1,
      sessions: 1,
      play_sessions: 1,
      events: 2,
      rejected_events: 1,
    });
  });

  it('refuses consent with a researcher key and for another study', async () => {
    await makeStudyWithKeys(t.db, 'beta');

    expect(
      (await post('/api/v1/research/consent', { consent_version: '1' }, keys.researcher))
        .statusCode,
    ).toBe(403);
    expect(
      (
        await post(
          '/api/v1/research/consent',
          { consent_version: '1', study_id: 'beta' },
          keys.ingest,
        )
      ).statusCode,
    ).toBe(403);
  });
});
