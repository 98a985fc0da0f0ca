import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestApp, withKey, type TestApp } from '../../helpers/app.js';
import { makeStudyWithKeys } from '../../helpers/factories.js';

describe('study records for ethics and retention', () => {
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

  const call = (method: 'POST' | 'PATCH' | 'GET', url: string, body?: unknown, key = keys.admin) =>
    t.app.inject({
      method,
      url,
      headers: withKey(key),
      payload: body === undefined ? undefined : JSON.stringify(body),
    });

  it('creates a study with its ethics record', async () => {
    const res = await call('POST', '/api/v1/studies', {
      id: 'adhd-2027',
      title: 'ADHD 2027',
      ethics_protocol_id: 'REC-22/0456',
      ethics_approved_on: '2026-01-15',
      ethics_expires_on: '2028-01-14',
      principal_investigator: 'Dr. A. Researcher',
      institution: 'University Hospital',
      contact: 'study-team@example.org',
      privacy_level: 'pseudonymous',
      retention_days: 3650,
      requires_consent: true,
    });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      ethics_approved_on: '2026-01-15',
      ethics_expires_on: '2028-01-14',
      retention_days: 3650,
      requires_consent: true,
      closed_at: null,
    });
  });

  it('changes only the fields given and clears a field given as null', async () => {
    await call('PATCH', '/api/v1/studies/alpha', { contact: 'a@example.org', retention_days: 30 });

    const res = await call('PATCH', '/api/v1/studies/alpha', { contact: null });

    expect(res.json()).toMatchObject({ contact: null, retention_days: 30, title: 'Study alpha' });
  });

  it.each([
    ['an impossible date', { ethics_expires_on: '2027-02-30' }, 'ethics_expires_on'],
    ['a retention of 0 days', { retention_days: 0 }, 'retention_days'],
    ['an unknown privacy level', { privacy_level: 'public' }, 'privacy_level'],
    ['an empty change', {}, 'body'],
  ])('refuses %s', async (_name, body, field) => {
    const res = await call('PATCH', '/api/v1/studies/alpha', body);

    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
  });

  it('stops new sessions once the ethics approval has expired, saying why', async () => {
    await call('PATCH', '/api/v1/studies/alpha', { ethics_expires_on: '2020-12-31' });

    const res = await call(
      'POST',
      '/api/v1/sessions',
      { unique_id: 'p', build_number: '1' },
      keys.ingest,
    );

    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(
      /ethics approval of study alpha expired on 2020-12-31/,
    );
  });

  it('closes a study: no new consents, data still readable', async () => {
    const closed = await call('POST', '/api/v1/studies/alpha/close');
    const consent = await call(
      'POST',
      '/api/v1/research/consent',
      { consent_version: '1' },
      keys.ingest,
    );
    const read = await call('GET', '/api/v1/studies/alpha', undefined, keys.researcher);

    expect(closed.json()).toMatchObject({ active: false, closed_at: expect.any(String) });
    expect(consent.statusCode).toBe(403);
    expect(read.statusCode).toBe(200);
  });

  it('lets only admins change studies', async () => {
    expect(
      (await call('PATCH', '/api/v1/studies/alpha', { title: 'x' }, keys.researcher)).statusCode,
    ).toBe(403);
    expect(
      (await call('POST', '/api/v1/studies/alpha/close', undefined, keys.ingest)).statusCode,
    ).toBe(403);
  });

  it('writes study and key changes to the audit trail, readable by admins only', async () => {
    await call('PATCH', '/api/v1/studies/alpha', { title: 'Renamed' });
    const key = (await call('POST', '/api/v1/keys', { role: 'ingest', study_id: 'alpha' })).json();
    await call('POST', `/api/v1/keys/${key.id}/revoke`);

    const res = await call('GET', '/api/v1/audit?study_id=alpha');
    const denied = await call('GET', '/api/v1/audit', undefined, keys.researcher);

    expect(res.json().records.map((r: { action: string }) => r.action)).toEqual([
      'study.update',
      'key.create',
      'key.revoke',
    ]);
    expect(res.json().records[0]).toMatchObject({
      details: { fields: ['title'] },
      actor: expect.stringMatching(/^key:\d+$/),
    });
    expect(JSON.stringify(res.json())).not.toContain(key.key);
    expect(denied.statusCode).toBe(403);
  });
});
