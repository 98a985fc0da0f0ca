import { sql } from 'kysely';
import Type from 'typebox';

import { ErrorBody } from '../../schemas/common.js';
import type { App, RouteDeps } from '../types.js';

const Reply = Type.Object({ status: Type.String() });

export function healthRoutes(app: App, { db }: RouteDeps): void {
  app.get(
    '/api/v1/health',
    {
      config: { public: true },
      schema: {
        summary: 'Liveness: the process answers',
        tags: ['operations'],
        response: { 200: Reply },
      },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/api/v1/health/ready',
    {
      config: { public: true },
      schema: {
        summary: 'Readiness: the database answers',
        description: 'Answers 503 with Retry-After while the database cannot be reached.',
        tags: ['operations'],
        response: { 200: Reply, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      try {
        await sql`select 1`.execute(db);
        return { status: 'ready' };
      } catch (error) {
        request.log.warn({ err: error }, 'database not ready');
        return reply
          .status(503)
          .header('retry-after', '5')
          .send({
            error: {
              code: 'database_unavailable',
              message: 'the database cannot be reached',
              retryable: true,
            },
            request_id: request.id,
          });
      }
    },
  );
}
