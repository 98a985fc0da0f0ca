import { randomUUID } from 'node:crypto';

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';

import type { Config } from './config/config.js';
import type { Database } from './db/schema.js';
import { authenticate } from './http/authenticate.js';
import { frameworkErrorHandler, registerErrorHandler } from './http/error-handler.js';
import { registerJsonBody } from './http/json-body.js';
import { registerOpenApi } from './http/openapi.js';
import { registerRequestLog } from './http/request-log.js';
import { registerSecurity } from './http/security.js';
import { registerStaticPages } from './http/static-pages.js';
import { rootRoute } from './routes/root.js';
import type { App } from './routes/types.js';
import { v1Routes } from './routes/v1/index.js';
import { ajv } from './validation/ajv.js';

export interface AppOptions {
  config: Config;
  db: Kysely<Database>;
  logger: FastifyBaseLogger;
}

/** A JSON body may be at most 1 MB. */
export const bodyLimit = 1024 * 1024;

/** Builds the whole application without listening, so tests can inject requests. */
export async function buildApp(options: AppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger,
    // One line per request comes from request-log.ts instead of Fastify's two.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'request_id',
    }),
    bodyLimit,
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    frameworkErrors: frameworkErrorHandler,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  registerJsonBody(app);
  registerErrorHandler(app);
  registerRequestLog(app);
  await registerSecurity(app);
  await app.register(authenticate, { db: options.db });
  await registerOpenApi(app);

  rootRoute(app);
  v1Routes(app, { db: options.db });
  await registerStaticPages(app);
  return app;
}
