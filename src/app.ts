import { randomUUID } from 'node:crypto';

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';

import { envAdminKey } from './auth/env-admin-key.js';
import type { Config } from './config/config.js';
import type { TlsFiles } from './config/tls-files.js';
import type { Database } from './db/schema.js';
import { authenticate } from './http/authenticate.js';
import { registerCors } from './http/cors.js';
import { frameworkErrorHandler, registerErrorHandler } from './http/error-handler.js';
import { registerJsonBody } from './http/json-body.js';
import { registerHttpsRedirect } from './http/https-redirect.js';
import { registerOpenApi } from './http/openapi.js';
import { registerRateLimit } from './http/rate-limit.js';
import { registerRequestLog } from './http/request-log.js';
import { registerRouteRegistry } from './http/route-registry.js';
import { registerSecurity } from './http/security.js';
import { registerShutdownGate } from './http/shutdown-gate.js';
import { registerStaticPages } from './http/static-pages.js';
import { registerHttpMetrics } from './metrics/http-metrics.js';
import { metricsRoute } from './routes/metrics.js';
import { rootRoute } from './routes/root.js';
import type { App } from './routes/types.js';
import { v1Routes } from './routes/v1/index.js';
import { receiptSigner } from './research/receipt.js';
import { withdrawalSecret } from './research/research-secret.js';
import type { ResearchContext } from './research/withdrawal.js';
import { ajv } from './validation/ajv.js';

export interface AppOptions {
  config: Config;
  db: Kysely<Database>;
  logger: FastifyBaseLogger;
  /** Namespace of the rate-limit counters in Redis; tests give each app its own. */
  redisPrefix?: string;
  /** Certificate and key to terminate TLS with; plain HTTP without them. */
  tls?: TlsFiles | undefined;
}

/** A JSON body may be at most 1 MB. */
export const bodyLimit = 1024 * 1024;

function researchContext(config: Config): ResearchContext {
  const { secret } = withdrawalSecret(config);
  return {
    withdrawalSecret: secret,
    signer: receiptSigner(secret),
    codeAttemptsPerMinute: config.rateLimitCodeAttemptsPerMinute,
  };
}

/** Builds the whole application without listening, so tests can inject requests. */
export async function buildApp(options: AppOptions): Promise<App> {
  const { config } = options;
  const app = Fastify({
    loggerInstance: options.logger,
    // One line per request comes from request-log.ts instead of Fastify's two.
    logController: new LogController({
      disableRequestLogging: true,
      requestIdLogLabel: 'request_id',
    }),
    bodyLimit,
    genReqId: () => randomUUID(),
    // shutdown-gate.ts answers during close, with Retry-After.
    return503OnClosing: false,
    frameworkErrors: frameworkErrorHandler,
    routerOptions: { ignoreTrailingSlash: false, maxParamLength: 200 },
    // X-Forwarded-For and X-Forwarded-Proto are believed only from these peers.
    trustProxy: config.trustedProxies.length > 0 ? config.trustedProxies : false,
    https: options.tls ?? null,
  }).withTypeProvider<TypeBoxTypeProvider>();

  registerRouteRegistry(app);
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));
  registerJsonBody(app);
  registerErrorHandler(app);
  registerRequestLog(app);
  registerHttpMetrics(app);
  await registerSecurity(app);
  registerHttpsRedirect(app, config);
  await registerCors(app, config);
  // After the security and CORS headers are set, so a browser can read its Retry-After.
  registerShutdownGate(app);
  // Before authenticate: bad keys are counted, and refused, by address.
  await registerRateLimit(app, { config, redisPrefix: options.redisPrefix });
  await app.register(authenticate, {
    db: options.db,
    envKey: envAdminKey(config.webticsApiKey),
  });
  await registerOpenApi(app);

  rootRoute(app);
  metricsRoute(app);
  v1Routes(app, { db: options.db, research: researchContext(options.config) });
  await registerStaticPages(app);
  return app;
}
