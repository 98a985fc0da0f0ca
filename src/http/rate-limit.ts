import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { Config } from '../config/config.js';
import { AppError } from '../errors.js';
import { addressHasher, clientAddress, type AddressHasher } from './client-address.js';
import {
  createRateCounters,
  type Bucket,
  type RateCounters,
  type Standing,
} from './rate-counters.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * This route's own limit per client and minute, counted apart from the
     * client's other requests: low for withdrawal attempts, say.
     */
    rateLimitPerMinute?: number;
  }
}

export interface RateLimitOptions {
  config: Config;
  /** Namespace of the counters in Redis; tests give each run its own. */
  redisPrefix?: string;
}

/** Which counter a request is charged to, as named in logs. */
type BucketKind = 'key' | 'address' | 'failed_auth';

interface NamedBucket extends Bucket {
  kind: BucketKind;
}

export class RateLimitedError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(429, 'rate_limited', `too many requests; try again in ${retryAfterSeconds} s`);
  }
}

function ownLimit(request: FastifyRequest): number | undefined {
  return request.routeOptions.config?.rateLimitPerMinute;
}

/** A route with its own limit keeps its own counters. */
function scope(request: FastifyRequest): string {
  if (ownLimit(request) === undefined) return '';
  return `${request.method} ${request.routeOptions.url ?? ''}|`;
}

function bucketsFor(config: Config) {
  return {
    key: (request: FastifyRequest, keyId: number, role: string): NamedBucket => ({
      kind: 'key',
      key: `key:${scope(request)}${keyId}`,
      max:
        ownLimit(request) ??
        (role === 'ingest' ? config.rateLimitIngestPerMinute : config.rateLimitPerMinute),
    }),
    address: (request: FastifyRequest): NamedBucket => ({
      kind: 'address',
      key: `addr:${scope(request)}${clientAddress(request)}`,
      max: ownLimit(request) ?? config.rateLimitPerMinute,
    }),
    failedAuth: (request: FastifyRequest): NamedBucket => ({
      kind: 'failed_auth',
      key: `fail:${clientAddress(request)}`,
      max: config.rateLimitPerMinute,
    }),
  };
}

/** The authenticate hook will look this request's key up (the route needs one and it has one). */
function presentsKey(request: FastifyRequest): boolean {
  const needsKey =
    request.routeOptions.url !== undefined && request.routeOptions.config.roles !== undefined;
  const key = request.headers['x-api-key'];
  return needsKey && key !== undefined && key !== '';
}

function setHeaders(reply: FastifyReply, standing: Standing): void {
  reply.header('x-ratelimit-limit', standing.limit);
  reply.header('x-ratelimit-remaining', standing.remaining);
  reply.header('x-ratelimit-reset', standing.resetSeconds);
}

function refuse(
  request: FastifyRequest,
  reply: FastifyReply,
  bucket: NamedBucket,
  hash: AddressHasher,
  standing: Standing,
): never {
  request.log.warn(
    {
      bucket: bucket.kind,
      limit: bucket.max,
      key_id: request.principal?.keyId ?? null,
      address_hash: hash(clientAddress(request)),
      route: request.routeOptions.url ?? null,
    },
    'rate limit exceeded',
  );
  setHeaders(reply, { ...standing, remaining: 0 });
  reply.header('retry-after', standing.resetSeconds);
  throw new RateLimitedError(standing.resetSeconds);
}

function logFailedAuth(request: FastifyRequest, hash: AddressHasher): void {
  request.log.warn(
    {
      address_hash: hash(clientAddress(request)),
      route: request.routeOptions.url ?? null,
      key_given: presentsKey(request),
    },
    'authentication failed',
  );
}

interface Limiter {
  counters: RateCounters;
  buckets: ReturnType<typeof bucketsFor>;
  hash: AddressHasher;
  /** Requests already charged, so none is counted twice. */
  counted: WeakSet<FastifyRequest>;
}

async function enforce(
  limiter: Limiter,
  request: FastifyRequest,
  reply: FastifyReply,
  bucket: NamedBucket,
): Promise<void> {
  limiter.counted.add(request);
  const standing = await limiter.counters.count(request, bucket);
  if (standing.exceeded) refuse(request, reply, bucket, limiter.hash, standing);
  setHeaders(reply, standing);
}

function addHooks(app: FastifyInstance, limiter: Limiter): void {
  const { counters, buckets, hash, counted } = limiter;

  app.addHook('onRequest', async (request, reply) => {
    if (!presentsKey(request)) return enforce(limiter, request, reply, buckets.address(request));

    const bucket = buckets.failedAuth(request);
    const failures = await counters.count(request, bucket, false);
    if (failures.remaining === 0) refuse(request, reply, bucket, hash, failures);
  });

  app.addHook('preParsing', async (request, reply) => {
    const principal = request.principal;
    if (principal === null || counted.has(request)) return;
    await enforce(limiter, request, reply, buckets.key(request, principal.keyId, principal.role));
  });

  // What the hooks above could not count yet: a key refused for its role, or
  // one that failed authentication.
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401) logFailedAuth(request, hash);
    if (counted.has(request)) return;

    const principal = request.principal;
    if (principal !== null) {
      await counters.count(request, buckets.key(request, principal.keyId, principal.role));
    } else if (reply.statusCode === 401 && presentsKey(request)) {
      await counters.count(request, buckets.failedAuth(request));
    }
  });
}

/**
 * Limits requests per client and minute. A request with a valid key is counted
 * against that key (ingest keys get the higher ingest limit); anything else
 * against the client's address. Keys that fail authentication are charged to
 * their address in a counter of their own: once it is spent, requests with a
 * key from that address are refused before the key is even looked up.
 *
 * Register it before `authenticate`: its first check must run before the key
 * lookup, and it counts the key's requests once the lookup is done (preParsing).
 */
export async function registerRateLimit(
  app: FastifyInstance,
  options: RateLimitOptions,
): Promise<void> {
  const { config } = options;
  const prefix = options.redisPrefix ?? 'webtics:rate:';
  if (config.secretKey === undefined) {
    app.log.warn(
      'SECRET_KEY is unset: address hashes in abuse logs use a key of this process only',
    );
  }

  addHooks(app, {
    counters: await createRateCounters(app, config.redisUrl, prefix),
    buckets: bucketsFor(config),
    hash: addressHasher(config.secretKey),
    counted: new WeakSet(),
  });
}
