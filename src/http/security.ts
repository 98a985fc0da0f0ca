import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

import { guardJsonBody } from '../validation/json-guard.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route checks each item of an array body with guardJsonBody itself. */
    guardsItems?: boolean;
  }
}

const escapes: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/**
 * JSON text with `<`, `>` and `&` written as \u escapes: the same data to any
 * JSON reader, but markup stored in an event can never be read as HTML.
 */
export function escapeJson(text: string): string {
  return text.replace(/[<>&\u2028\u2029]/g, (char) => escapes[char] ?? char);
}

export async function registerSecurity(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginEmbedderPolicy: false,
  });

  app.addHook('preValidation', async (request) => {
    if (request.body === undefined) return;
    // A route that judges the items of an array body one by one guards each
    // item itself, so one bad item refuses only that item.
    if (request.routeOptions.config.guardsItems === true && Array.isArray(request.body)) return;
    guardJsonBody(request.body);
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (typeof payload === 'string' && type.startsWith('application/json'))
      return escapeJson(payload);
    return payload;
  });
}
