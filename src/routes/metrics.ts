import Type from 'typebox';

import { registry } from '../metrics/metrics.js';
import { errors } from '../schemas/common.js';
import { adminRoles, type App } from './types.js';

/** Prometheus text on the main port, for an admin key (see also METRICS_PORT). */
export function metricsRoute(app: App): void {
  app.get(
    '/metrics',
    {
      config: { roles: adminRoles },
      schema: {
        summary: 'Metrics in the Prometheus text format',
        description:
          'Requests by route and status, latency, events stored, duplicate and rejected by ' +
          'rule, rate-limit refusals, database connections and process memory. Needs an ' +
          'admin key; with METRICS_PORT set the same text is also served without a key on ' +
          '127.0.0.1 at that port.',
        tags: ['operations'],
        response: { 200: Type.String(), ...errors(401, 403) },
      },
    },
    async (_request, reply) => {
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}
