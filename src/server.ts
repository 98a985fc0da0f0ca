import type { Logger } from 'pino';

import { buildApp } from './app.js';
import type { Config } from './config/config.js';
import { assertProductionReady } from './config/production-check.js';
import { readTlsFiles, type TlsFiles } from './config/tls-files.js';
import { openDatabase, targetFromConfig, type DatabaseHandle } from './db/connect.js';
import { createDemo, demoBanner } from './demo.js';
import { startMetricsServer, type MetricsServer } from './metrics/metrics-server.js';
import { watchDatabasePool } from './metrics/metrics.js';
import type { App } from './routes/types.js';
import { scheduleDailyPurge } from './research/retention.js';

export interface RunningServer {
  app: App;
  url: string;
  database: DatabaseHandle;
  /** The keyless /metrics listener on 127.0.0.1, when METRICS_PORT is set. */
  metricsUrl: string | undefined;
  stop(): Promise<void>;
}

/** How long in-flight requests may take to finish once a stop is asked for. */
const shutdownGraceMs = 10_000;

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** Nothing made yet: no study and no key (a first start, or one that failed before this point). */
async function isEmpty(database: DatabaseHandle): Promise<boolean> {
  const study = await database.db.selectFrom('studies').select('id').limit(1).executeTakeFirst();
  const key = await database.db.selectFrom('api_keys').select('id').limit(1).executeTakeFirst();
  return study === undefined && key === undefined;
}

/**
 * What a person at the terminal needs to know. It goes to stderr, apart from
 * the JSON log on stdout, because the first start shows keys.
 */
async function startMessage(database: DatabaseHandle, url: string): Promise<string> {
  const empty = await isEmpty(database);
  if (empty && database.kind === 'embedded') return demoBanner(await createDemo(database.db), url);
  if (empty) {
    return (
      `WebTics is running at ${url} on an empty database. Make a study and a first key:\n` +
      '  npx webtics studies create my-study --title "My study"\n' +
      '  npx webtics keys create --role admin'
    );
  }
  return `WebTics is running at ${url} (reaction-time test: ${url}/play/)`;
}

/** A bad origin list or admin key stops the start here, and must not leave the database locked. */
async function listening(
  config: Config,
  database: DatabaseHandle,
  logger: Logger,
  tls: TlsFiles | undefined,
): Promise<App> {
  let app: App | undefined;
  try {
    app = await buildApp({ config, db: database.db, logger, tls });
    await app.listen({ port: config.port, host: config.host });
    return app;
  } catch (error) {
    await app?.close();
    await database.close();
    throw error;
  }
}

/** A METRICS_PORT already in use stops the start, as a busy PORT does. */
async function metricsListening(
  port: number | undefined,
  closeOthers: () => Promise<void>,
): Promise<MetricsServer | undefined> {
  if (port === undefined) return undefined;
  try {
    return await startMetricsServer(port);
  } catch (error) {
    await closeOthers();
    throw error;
  }
}

/** Opens the database, builds the app and listens; `stop` closes both, in that order. */
export async function startServer(
  config: Config,
  logger: Logger,
  print: (text: string) => void = (text) => process.stderr.write(`${text}\n`),
): Promise<RunningServer> {
  assertProductionReady(config);
  const tls = readTlsFiles(config);
  const database = await openDatabase(targetFromConfig(config));
  logger.info({ database: database.kind }, 'database open');
  const app = await listening(config, database, logger, tls);
  watchDatabasePool(() => ({ kind: database.kind, ...database.poolStats() }));
  const metricsServer = await metricsListening(config.metricsPort, async () => {
    await app.close();
    await database.close();
  });
  if (metricsServer !== undefined) logger.info({ url: metricsServer.url }, 'metrics listening');
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const scheme = tls === undefined ? 'http' : 'https';
  const url = `${scheme}://${displayHost(config.host)}:${port}`;
  print(await startMessage(database, url));
  const stopPurge = scheduleDailyPurge(
    database.db,
    (error) => logger.error({ err: error }, 'retention purge failed'),
    (results) => logger.info({ studies: results.length }, 'retention purge done'),
  );

  const stop = async () => {
    stopPurge();
    await metricsServer?.close();
    await app.close();
    await database.close();
  };
  return { app, url, database, metricsUrl: metricsServer?.url, stop };
}

/**
 * Stops on SIGTERM or SIGINT: no new connections, requests in flight finish
 * (each event write is committed before its answer), then the database closes.
 * A stop that hangs past the grace period ends the process anyway.
 */
export function stopOnSignals(server: RunningServer, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ grace_ms: shutdownGraceMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, shutdownGraceMs);
    timer.unref();
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
