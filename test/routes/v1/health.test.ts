import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createTestApp, type TestApp } from '../../helpers/app.js';

describe('health', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers liveness without a key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health' });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers readiness after asking the database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/health/ready' });

    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready' });
  });

  it('says 503 with Retry-After when the database is gone', async () => {
    const other = await createTestApp();
    await other.database.close();

    const res = await other.app.inject({ method: 'GET', url: '/api/v1/health/ready' });

    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json().error.code).toBe('database_unavailable');
    await other.app.close();
  });

  it('names the service and version at the root', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/' });

    expect(res.json()).toMatchObject({
      name: 'webtics',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });
});
