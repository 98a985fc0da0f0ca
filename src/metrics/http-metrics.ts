import type { FastifyInstance } from 'fastify';

import { metrics } from './metrics.js';

/**
 * Counts every answer and times it, by route pattern. A request no route
 * matched is counted under `none`, so unknown URLs add no series.
 */
export function registerHttpMetrics(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'none';
    const method = request.method;

    metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });
}
