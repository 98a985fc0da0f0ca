import type { FastifyInstance, FastifyRequest } from 'fastify';

import type { Config } from '../config/config.js';
import { publicUrlProblem } from '../config/production-check.js';
import { ValidationError } from '../errors.js';

/** Container health checks call these over plain HTTP from inside the container. */
const healthRoutes = new Set(['/api/v1/health', '/api/v1/health/ready']);

const hostnamePattern = /^(?:[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63})*|\[[0-9a-f:.]+\])$/i;

function isLoopback(address: string | undefined): boolean {
  const plain = address?.replace(/^::ffff:/, '') ?? '';
  return plain === '::1' || plain.startsWith('127.');
}

/** A health probe straight from this machine, not passed on by a proxy. */
function isLocalHealthCheck(request: FastifyRequest): boolean {
  return (
    healthRoutes.has(request.routeOptions.url ?? '') &&
    isLoopback(request.raw.socket.remoteAddress) &&
    request.headers['x-forwarded-proto'] === undefined
  );
}

/** Without PUBLIC_URL the Host header is all there is; it must at least be a host name. */
function originFromHost(request: FastifyRequest): string {
  const hostname = request.hostname;
  if (!hostnamePattern.test(hostname)) {
    throw new ValidationError('host', 'hostname', 'the Host header is not a host name');
  }
  return `https://${hostname}`;
}

/**
 * In production a request that did not arrive over TLS is sent to the same
 * path and query over HTTPS. "Over TLS" is judged by the socket, or by
 * X-Forwarded-Proto only when the peer is a trusted proxy (Fastify's
 * `trustProxy`, set from TRUSTED_PROXIES), so a client cannot claim it.
 * GET and HEAD get a 301; other methods a 308, which keeps method and body.
 */
export function registerHttpsRedirect(app: FastifyInstance, config: Config): void {
  if (config.environment !== 'production') return;
  const problem = publicUrlProblem(config);
  if (problem !== undefined) throw problem;
  const publicOrigin =
    config.publicUrl === undefined ? undefined : new URL(config.publicUrl).origin;

  app.addHook('onRequest', async (request, reply) => {
    if (request.protocol === 'https' || isLocalHealthCheck(request)) return;

    const origin = publicOrigin ?? originFromHost(request);
    // An absolute-form request target (GET http://x/ HTTP/1.1) must not become part of the host.
    const path = request.url.startsWith('/') ? request.url : '/';
    const status = request.method === 'GET' || request.method === 'HEAD' ? 301 : 308;
    return reply.redirect(`${origin}${path}`, status);
  });
}
