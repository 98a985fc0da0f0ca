import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';

import { hashApiKey, hashesEqual, looksLikeApiKey } from '../auth/api-key.js';
import type { EnvAdminKey } from '../auth/env-admin-key.js';
import type { Principal } from '../auth/principal.js';
import { findApiKeyByHash, touchApiKey } from '../data/api-keys.js';
import type { Database, Role } from '../db/schema.js';
import { ForbiddenError, UnauthorizedError } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a key (health, documentation). */
    public?: boolean;
    /** Roles allowed on this route; every /api route must say. */
    roles?: readonly Role[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

interface AuthenticateOptions {
  db: Kysely<Database>;
  /** The operator's admin key from WEBTICS_API_KEY, if one is set. */
  envKey?: EnvAdminKey | undefined;
}

async function principalFor(options: AuthenticateOptions, key: string): Promise<Principal> {
  if (!looksLikeApiKey(key)) throw new UnauthorizedError('the API key is not valid');
  const fromEnv = options.envKey?.principalFor(key);
  if (fromEnv !== undefined) return fromEnv;

  const { db } = options;
  const hash = hashApiKey(key);
  const found = await findApiKeyByHash(db, hash);
  if (found === undefined || !hashesEqual(found.hash, hash)) {
    throw new UnauthorizedError('the API key is not valid');
  }
  if (found.revokedAt !== null) throw new UnauthorizedError('the API key has been revoked');
  if (found.expiresAt !== null && found.expiresAt.getTime() <= Date.now()) {
    throw new UnauthorizedError('the API key has expired');
  }
  await touchApiKey(db, found.id);
  return { keyId: found.id, role: found.role, studyId: found.studyId };
}

function headerKey(request: FastifyRequest): string | undefined {
  const value = request.headers['x-api-key'];
  return Array.isArray(value) ? value[0] : value;
}

async function authenticatePlugin(app: FastifyInstance, options: AuthenticateOptions) {
  app.decorateRequest('principal', null);

  // A route under /api that names neither `public` nor its roles would be open
  // by accident; refuse to start instead.
  app.addHook('onRoute', (route) => {
    const config = route.config ?? {};
    if (route.url.startsWith('/api/') && !config.public && config.roles === undefined) {
      throw new Error(`route ${route.method.toString()} ${route.url} declares no roles`);
    }
    // The OpenAPI document says which routes need no key.
    if (config.public && route.schema !== undefined)
      route.schema = { ...route.schema, security: [] };
  });

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    if (request.routeOptions.url === undefined || config.roles === undefined) return;

    const key = headerKey(request);
    if (key === undefined || key === '') throw new UnauthorizedError();
    request.principal = await principalFor(options, key);

    if (!config.roles.includes(request.principal.role)) {
      throw new ForbiddenError(
        `this ${request.principal.role} key may not do this; it needs a ${config.roles.join(' or ')} key`,
      );
    }
  });
}

export const authenticate = fp(authenticatePlugin, { name: 'authenticate' });

/** The caller of a route that requires a key; the hook has already checked it. */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw new UnauthorizedError();
  return request.principal;
}
