import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

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

  constructor(private readonly pglite: PGlite) {}

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.queue;
    this.queue = previous.then(() => turn);
    await previous;
    return this.client(release);
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
