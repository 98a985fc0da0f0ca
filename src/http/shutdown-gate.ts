import type { FastifyInstance } from 'fastify';

import { AppError } from '../errors.js';

/** The server is stopping; another process (or this one, restarted) will take the request. */
export class ShuttingDownError extends AppError {
  constructor() {
    super(503, 'shutting_down', 'the server is restarting; try again shortly');
  }
}

/**
 * From the moment close begins, requests still arriving on open connections
 * get our 503 (with Retry-After and the usual error body) instead of Fastify's
 * bare one, so an SDK sees a retryable answer like any other.
 */
export function registerShutdownGate(app: FastifyInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!closing) return done();
    reply.header('connection', 'close');
    done(new ShuttingDownError());
  });
}
