import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createTestApp, withKey, type TestApp } from '../../helpers/app.js';
import { makePlaySession, makeStudyWithKeys } from '../../helpers/factories.js';

describe('metric sessions', () => {
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

  const open = (key: string, body: unknown) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      headers: withKey(key),
      payload: body as object,
    });

  it('opens a session in the ingest key’s own study', async () => {
    const res = await open(keys.ingest, { unique_id: 'P-01.a_b', build_number: '2.3.1' });

    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id: 1,
      study_id: 'alpha',
      unique_id: 'P-01.a_b',
      build_number: '2.3.1',
      closed_at: null,
    });
  });

  it.each([
    ['an empty unique_id', { unique_id: '', build_number: '1' }, 'unique_id'],
    [
      'a unique_id of 101 characters',
      { unique_id: 'a'.repeat(101), build_number: '1' },
      'unique_id',
    ],
    ['a space in unique_id', { unique_id: 'a b', build_number: '1' }, 'unique_id'],
    ['markup in unique_id', { unique_id: '<script>', build_number: '1' }, 'unique_id'],
    [
      'a build_number of 51 characters',
      { unique_id: 'p', build_number: '1'.repeat(51) },
      'build_number',
    ],
    ['a numeric build_number', { unique_id: 'p', build_number: 12 }, 'build_number'],
    ['a missing build_number', { unique_id: 'p' }, 'build_number'],
    ['an unknown field', { unique_id: 'p', build_number: '1', extra: 1 }, 'extra'],
  ])('rejects %s, naming the field', async (_name, body, field) => {
    const res = await open(keys.ingest, body);

    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe(field);
    const stored = await t.db.selectFrom('metric_sessions').select('id').execute();
    expect(stored).toHaveLength(0);
  });

  it('accepts 100 characters of unique_id', async () => {
    expect(
      (await open(keys.ingest, { unique_id: 'a'.repeat(100), build_number: '' })).statusCode,
    ).toBe(201);
  });

  it('needs a study_id with an admin key, and takes it', async () => {
    const without = await open(keys.admin, { unique_id: 'p', build_number: '1' });
    const withStudy = await open(keys.admin, {
      unique_id: 'p',
      build_number: '1',
      study_id: 'alpha',
    });

    expect(without.statusCode).toBe(400);
    expect(without.json().error.field).toBe('study_id');
    expect(withStudy.statusCode).toBe(201);
  });

  it('refuses an ingest key writing into another study', async () => {
    await makeStudyWithKeys(t.db, 'beta');

    const res = await open(keys.ingest, { unique_id: 'p', build_number: '1', study_id: 'beta' });

    expect(res.statusCode).toBe(403);
  });

  it('refuses a researcher key', async () => {
    expect((await open(keys.researcher, { unique_id: 'p', build_number: '1' })).statusCode).toBe(
      403,
    );
  });

  it('refuses new sessions in a closed study', async () => {
    await t.db.updateTable('studies').set({ active: false }).where('id', '=', 'alpha').execute();

    const res = await open(keys.ingest, { unique_id: 'p', build_number: '1' });

    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toMatch(/closed/);
  });

  it('closes a session and its open play sessions, keeping the first closing time', async () => {
    const { session, playSession } = await makePlaySession(t.db, 'alpha');
    const close = () =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${session.id}/close`,
        headers: { 'x-api-key': keys.ingest },
      });

    const first = await close();
    const second = await close();

    expect(first.statusCode).toBe(200);
    expect(first.json().closed_at).not.toBeNull();
    expect(second.json().closed_at).toBe(first.json().closed_at);
    const play = await t.db
      .selectFrom('play_sessions')
      .select('ended_at')
      .where('id', '=', playSession.id)
      .executeTakeFirstOrThrow();
    expect(play.ended_at).not.toBeNull();
  });

  it.each(['0', '-1', 'abc', '1.5', '99999999999999999999', '%27%20or%201=1'])(
    'answers 400 for the session id %s',
    async (id) => {
      const res = await t.app.inject({
        method: 'POST',
        url: `/api/v1/sessions/${id}/close`,
        headers: { 'x-api-key': keys.ingest },
      });

      expect(res.statusCode).toBe(400);
      expect(res.json().error.field).toBe('id');
    },
  );

  it('answers 404 for a session that does not exist', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sessions/9007199254740991/close',
      headers: { 'x-api-key': keys.ingest },
    });

    expect(res.statusCode).toBe(404);
  });
});
