import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

import type { PoolStats } from './connect.js';

type Command = PostgresQueryResult<unknown>['command'];

const commands = new Set<Command>(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'SELECT']);

function commandOf(sql: string): Command {
  const word = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  return commands.has(word as Command) ? (word as Command) : 'SELECT';
}

/**
 * Presents one embedded PGlite database as a pool of one connection.
 *
 * PGlite is a single session: a transaction begun by one request must not see
 * another request's statements in between, so a caller holds the connection
 * from `connect()` until `release()` and the next caller waits its turn.
 */
export class PGlitePool implements PostgresPool {
  private queue: Promise<void> = Promise.resolve();
  /** Callers holding the connection or waiting for it. */
  private callers = 0;

  constructor(private readonly pglite: PGlite) {}

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.queue;
    this.queue = previous.then(() => turn);
    this.callers += 1;
    await previous;
    return this.client(() => {
      this.callers -= 1;
      release();
    });
  }

  /** One connection, idle or in use, and how many callers wait their turn for it. */
  stats(): PoolStats {
    return {
      total: 1,
      idle: this.callers === 0 ? 1 : 0,
      waiting: Math.max(this.callers - 1, 0),
    };
  }

  async end(): Promise<void> {
    await this.queue;
    await this.pglite.close();
  }

  private client(release: () => void): PostgresPoolClient {
    const pglite = this.pglite;
    let released = false;
    return {
      async query<R>(sql: unknown, parameters?: readonly unknown[]) {
        const text = sql as string;
        const result = await pglite.query<R>(text, parameters as unknown[]);
        return {
          command: commandOf(text),
          rowCount: result.affectedRows ?? result.rows.length,
          rows: result.rows,
        };
      },
      release() {
        if (released) return;
        released = true;
        release();
      },
    } as PostgresPoolClient;
  }
}
