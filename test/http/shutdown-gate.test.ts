import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

import { registerErrorHandler } from '../../src/http/error-handler.js';
import { registerShutdownGate } from '../../src/http/shutdown-gate.js';

describe('the shutdown gate', () => {
  it('answers requests that arrive while the server closes with a retryable 503', async () => {
    const app = Fastify({ return503OnClosing: false });
    registerErrorHandler(app);
    registerShutdownGate(app);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    // A hook that holds the close open, as a slow in-flight request would.
    app.addHook('preClose', async () => held);
    app.get('/work', async () => 'done');
    const url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/work`;

    const before = await fetch(url);
    const closing = app.close();
    await new Promise((resolve) => setImmediate(resolve));
    const during = await fetch(url);
    release();
    await closing;

    expect(await before.text()).toBe('done');
    expect(during.status).toBe(503);
    expect(during.headers.get('retry-after')).toBe('5');
    expect(during.headers.get('connection')).toBe('close');
    expect(((await during.json()) as { error: unknown }).error).toMatchObject({
      code: 'shutting_down',
      retryable: true,
    });
  });
});
