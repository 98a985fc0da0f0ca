import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';

import { registerRouteRegistry } from '../../src/http/route-registry.js';

describe('route registry', () => {
  it('records every route with its access, HEAD twins and plugin routes included', async () => {
    const app = Fastify();
    registerRouteRegistry(app);
    app.get('/open', { config: { public: true } }, async () => 'ok');
    app.route({
      method: ['POST', 'PUT'],
      url: '/both',
      config: { roles: ['admin'] },
      handler: async () => 'ok',
    });
    await app.register(async (child) => {
      child.get('/inside', async () => 'ok');
    });
    await app.ready();

    expect(app.routeRegistry).toEqual([
      { method: 'GET', url: '/open', public: true, roles: null },
      { method: 'HEAD', url: '/open', public: true, roles: null },
      { method: 'POST', url: '/both', public: false, roles: ['admin'] },
      { method: 'PUT', url: '/both', public: false, roles: ['admin'] },
      { method: 'GET', url: '/inside', public: false, roles: null },
      { method: 'HEAD', url: '/inside', public: false, roles: null },
    ]);
    await app.close();
  });
});
