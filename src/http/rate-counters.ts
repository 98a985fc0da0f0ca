import rateLimit from '@fastify/rate-limit';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { Redis } from 'ioredis';

/** Every limit is per minute; a window starts with a client's first request in it. */
export const windowMs = 60_000;

/** One counter: what it is called in the store and how many requests it allows a window. */
export interface Bucket {
  key: string;
  max: number;
}

/** Where a counter stands after a request was counted (or looked at). */
export interface Standing {
  limit: number;
  remaining: number;
  /** Seconds until the window ends and the counter starts again. */
  resetSeconds: number;
  exceeded: boolean;
}

type Limit = ReturnType<FastifyInstance['createRateLimit']>;

/** How long to leave an unanswering Redis alone before trying it again. */
const retryAfterFailureMs = 5_000;

/** Counters in this process's memory, bounded to the most recent clients. */
const localEntries = 10_000;

// The plugin asks a key generator and a max function about each request; the
// bucket being counted is handed to them here for the duration of one call.
const pending = new WeakMap<FastifyRequest, Bucket>();

function bucketOf(request: FastifyRequest): Bucket {
  const bucket = pending.get(request);
  if (bucket === undefined) throw new Error('rate limit asked about a request it was not given');
  return bucket;
}

async function createLimit(
  app: FastifyInstance,
  store: { redis: Redis; nameSpace: string } | { cache: number },
): Promise<Limit> {
  let limit: Limit | undefined;
  // Each store gets its own encapsulated copy of the plugin, so neither sees the other.
  await app.register(async (scope) => {
    await scope.register(rateLimit, {
      global: false,
      timeWindow: windowMs,
      keyGenerator: (request) => bucketOf(request).key,
      max: (request) => bucketOf(request).max,
      ...store,
    });
    limit = scope.createRateLimit();
  });
  if (limit === undefined) throw new Error('the rate-limit plugin did not load');
  return limit;
}

function connectRedis(url: string): Redis {
  return new Redis(url, {
    // While Redis is away a command fails at once, and the request is counted
    // in this process instead of waiting for a reconnection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 500,
    retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
  });
}

/** Whether Redis is worth asking: it answered last time, or it is time to try it again. */
class StoreHealth {
  #retryAt = 0;
  #down = false;

  constructor(private readonly log: FastifyBaseLogger) {}

  get usable(): boolean {
    return Date.now() >= this.#retryAt;
  }

  markDown(error: unknown): void {
    this.#retryAt = Date.now() + retryAfterFailureMs;
    if (this.#down) return;
    this.#down = true;
    this.log.error(
      { err: error },
      'rate-limit store unavailable; counting in this process until it is back',
    );
  }

  markUp(): void {
    this.#retryAt = 0;
    if (!this.#down) return;
    this.#down = false;
    this.log.info('rate-limit store back; counters are shared again');
  }
}

/**
 * Request counters: in Redis when it is configured, so that several server
 * processes share them, and in this process's memory otherwise. While Redis
 * cannot be reached the counting goes on in memory: a client then gets the
 * same limit from each process instead of from all of them together, which is
 * looser but never unlimited, and no request fails for it.
 */
export class RateCounters {
  constructor(
    private readonly local: Limit,
    private readonly shared?: { limit: Limit; health: StoreHealth },
  ) {}

  /** Counts one request against the bucket; with `increment: false` only looks. */
  async count(request: FastifyRequest, bucket: Bucket, increment = true): Promise<Standing> {
    pending.set(request, bucket);
    try {
      if (this.shared?.health.usable) {
        try {
          return standing(await this.shared.limit(request, { increment }));
        } catch (error) {
          this.shared.health.markDown(error);
        }
      }
      return standing(await this.local(request, { increment }));
    } finally {
      pending.delete(request);
    }
  }
}

function standing(result: Awaited<ReturnType<Limit>>): Standing {
  // Only an allow list makes the plugin answer without counting, and none is set.
  if (result.isAllowed) throw new Error('rate limit skipped a request');
  return {
    limit: result.max,
    remaining: result.remaining,
    resetSeconds: Math.max(1, result.ttlInSeconds),
    exceeded: result.isExceeded,
  };
}

/**
 * Builds the counters, connecting to Redis first when a URL is given. A Redis
 * that cannot be reached at start is treated like one lost later.
 */
export async function createRateCounters(
  app: FastifyInstance,
  redisUrl: string | undefined,
  redisPrefix: string,
): Promise<RateCounters> {
  const local = await createLimit(app, { cache: localEntries });
  if (redisUrl === undefined) return new RateCounters(local);

  const health = new StoreHealth(app.log);
  const redis = connectRedis(redisUrl);
  redis.on('error', (error) => health.markDown(error));
  redis.on('ready', () => health.markUp());
  const connected = firstAnswer(redis);
  app.addHook('onClose', async () => redis.disconnect());

  const limit = await createLimit(app, { redis, nameSpace: redisPrefix });
  await connected;
  return new RateCounters(local, { limit, health });
}

/** Settles once the first connection is made or has failed; Redis is retried in the background. */
function firstAnswer(redis: Redis): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      redis.off('ready', done);
      redis.off('error', done);
      resolve();
    };
    redis.on('ready', done);
    redis.on('error', done);
  });
}
