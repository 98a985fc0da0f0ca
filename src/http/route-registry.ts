import type { FastifyInstance } from 'fastify';

import type { Role } from '../db/schema.js';

/** One route as it was registered: who may call it is what the security suite checks. */
export interface RegisteredRoute {
  method: string;
  url: string;
  /** Declared reachable without a key. */
  public: boolean;
  /** Roles the route admits; null when it declares none (only allowed outside /api). */
  roles: readonly Role[] | null;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route of the app, in the order it was added, HEAD twins and plugin routes included. */
    routeRegistry: readonly RegisteredRoute[];
  }
}

/**
 * Records every route the app adds from here on, so tests can walk the real
 * route list and fail when a route has no expectation. Call it before any
 * route or plugin is registered; Fastify has no public way to list routes.
 */
export function registerRouteRegistry(app: FastifyInstance): void {
  const routes: RegisteredRoute[] = [];
  app.decorate('routeRegistry', routes);

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      routes.push({
        method: String(method),
        url: route.url,
        public: route.config?.public === true,
        roles: route.config?.roles ?? null,
      });
    }
  });
}
