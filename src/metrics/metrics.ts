import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The one registry of this process, served as Prometheus text at /metrics.
 * Process memory, CPU and event-loop delay come from prom-client's defaults.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry });

/**
 * The counters other modules increment. Labels hold only values the server
 * chose (route patterns, rule names), never anything a client sent.
 *
 * @example
 * import { metrics } from '../metrics/metrics.js';
 * metrics.rateLimited.inc({ route: request.routeOptions.url ?? 'none' });
 */
export const metrics = {
  httpRequests: new Counter<'method' | 'route' | 'status'>({
    name: 'webtics_http_requests_total',
    help: 'Requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  }),
  httpDuration: new Histogram<'method' | 'route'>({
    name: 'webtics_http_request_duration_seconds',
    help: 'Time from a request arriving to its answer going out',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  }),
  eventsStored: new Counter({
    name: 'webtics_events_stored_total',
    help: 'Events newly stored (committed)',
    registers: [registry],
  }),
  eventsDuplicate: new Counter({
    name: 'webtics_events_duplicate_total',
    help: 'Events skipped because their client_event_id was already stored',
    registers: [registry],
  }),
  eventsRejected: new Counter<'rule'>({
    name: 'webtics_events_rejected_total',
    help: 'Events refused and kept as rejected-event records, by the rule they broke',
    labelNames: ['rule'],
    registers: [registry],
  }),
  rateLimited: new Counter<'route'>({
    name: 'webtics_rate_limited_total',
    help: 'Requests refused with 429 by the rate limit, by route pattern',
    labelNames: ['route'],
    registers: [registry],
  }),
};

/** The database connections at this moment, as the pool reports them. */
export interface PoolState {
  kind: string;
  total: number;
  idle: number;
  waiting: number;
}

let poolState: (() => PoolState) | undefined;

/** Reports the pool of this database at each scrape; the last one watched wins. */
export function watchDatabasePool(state: () => PoolState): void {
  poolState = state;
}

registry.registerMetric(
  new Gauge<'kind' | 'state'>({
    name: 'webtics_db_connections',
    help: 'Database connections: total open, idle, and callers waiting for one',
    labelNames: ['kind', 'state'],
    collect() {
      this.reset();
      if (poolState === undefined) return;
      const { kind, ...counts } = poolState();
      for (const [state, value] of Object.entries(counts)) this.set({ kind, state }, value);
    },
    registers: [],
  }),
);

/** Counts one committed ingest write: events stored, skipped as duplicates, and rejected. */
export function countIngest(
  stored: number,
  duplicates: number,
  rejected: readonly { issue: { rule: string } }[],
): void {
  metrics.eventsStored.inc(stored);
  metrics.eventsDuplicate.inc(duplicates);
  for (const item of rejected) metrics.eventsRejected.inc({ rule: item.issue.rule });
}
