import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

import { version } from '../version.js';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'WebTics API',
        version,
        description:
          'Telemetry for games used in health research. Every /api route but health and this ' +
          'document needs an X-API-Key header. Every 4xx and 5xx answer has the shape ' +
          '{"error": {"code", "message", "field"?, "rule"?}, "request_id"}.',
      },
      components: {
        securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' } },
      },
      security: [{ apiKey: [] }],
    },
  });

  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
