import Type from 'typebox';

import { version } from '../version.js';
import type { App } from './types.js';

export function rootRoute(app: App): void {
  app.get(
    '/',
    {
      config: { public: true },
      schema: {
        summary: 'Service name and version',
        tags: ['operations'],
        response: {
          200: Type.Object({
            name: Type.String(),
            version: Type.String(),
            openapi: Type.String(),
            play: Type.String(),
          }),
        },
      },
    },
    async () => ({ name: 'webtics', version, openapi: '/api/v1/openapi.json', play: '/play/' }),
  );
}
