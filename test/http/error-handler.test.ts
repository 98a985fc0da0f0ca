import Fastify, { type FastifyInstance } from 'fastify';
import Type from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { registerErrorHandler } from '../../src/http/error-handler.js';

/** An app whose routes throw what a handler, a driver or Fastify itself may throw. */
async function appThrowing(): Promise<FastifyInstance> {
  const app = Fastify();
  registerErrorHandler(app);
  const fail = (error: unknown) => async () => {
    throw error;
  };
  app.get('/crash', fail(new Error('secret detail of the crash')));
  app.get('/retryable', fail(Object.assign(new Error('pool busy'), { retryable: true })));
  app.get('/teapot', fail(Object.assign(new Error("no 'quoted' input"), { statusCode: 418 })));
  app.get(
    '/bad-url',
    fail(Object.assign(new Error('x'), { statusCode: 400, code: 'FST_ERR_BAD_URL' })),
  );
  app.get('/long', fail(Object.assign(new Error('x'), { statusCode: 414 })));
  app.get(
    '/empty-validation',
    fail(Object.assign(new Error('x'), { validation: [], validationContext: 'querystring' })),
  );
  app.get(
    '/query',
    { schema: { querystring: Type.Object({ n: Type.Integer() }) } },
    async () => 'ok',
  );
  await app.ready();
  return app;
}

describe('the error handler', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await appThrowing();
  });
  afterAll(() => app.close());

  it('hides what went wrong in a 500 and quotes the request id', async () => {
    const res = await app.inject({ url: '/crash' });

    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('secret detail');
    expect(res.json().request_id).toEqual(expect.any(String));
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('asks for a retry when the failure is marked retryable', async () => {
    const res = await app.inject({ url: '/retryable' });

    expect([res.statusCode, res.headers['retry-after']]).toEqual([500, '5']);
  });

  it('keeps a client status from Fastify but not what the client sent', async () => {
    const res = await app.inject({ url: '/teapot' });

    expect(res.statusCode).toBe(418);
    expect(res.json().error).toEqual({
      code: 'bad_request',
      message: "no '…' input",
      retryable: false,
    });
  });

  it.each([
    ['/bad-url', 400, 'the URL is not valid (bad percent-encoding?)'],
    ['/long', 414, 'the URL is too long'],
  ])('answers %s with a plain sentence', async (url, status, message) => {
    const res = await app.inject({ url });

    expect([res.statusCode, res.json().error.message]).toEqual([status, message]);
  });

  it('names the part of the request when a validation error names no field', async () => {
    const res = await app.inject({ url: '/empty-validation' });

    expect(res.json().error).toMatchObject({ field: 'querystring', rule: 'schema' });
  });

  it('names the query field that broke a rule', async () => {
    const res = await app.inject({ url: '/query?n=x' });

    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe('n');
  });
});
