import type { FastifyInstance } from 'fastify';

/**
 * One line per request, written when the answer has gone out. It names the
 * key by id only; keys, codes and event payloads never reach the log.
 */
export function registerRequestLog(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        route: request.routeOptions.url ?? null,
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 10) / 10,
        key_id: request.principal?.keyId ?? null,
      },
      'request done',
    );
  });
}
