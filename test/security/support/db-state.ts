import pg from 'pg';

/** What a table holds, as a row count and a digest of every row. */
export interface TableState {
  rows: number;
  digest: string;
}

export type DatabaseState = Record<string, TableState>;

/** A small pool on the server's database, beside the server's own connections. */
export function openStatePool(url: string): pg.Pool {
  return new pg.Pool({ connectionString: url, max: 2 });
}

/** Every table the migrations made, found in the catalogue so a new table is never missed. */
async function tableNames(pool: pg.Pool): Promise<string[]> {
  const result = await pool.query<{ name: string }>(
    `select table_name as name from information_schema.tables
     where table_schema = 'public' and table_type = 'BASE TABLE'
       and table_name not like 'kysely_migration%'
     order by table_name`,
  );
  return result.rows.map((row) => row.name);
}

/**
 * Row count and an order-independent digest of each table. `last_used_at` is
 * left out: authenticating a key updates it on purpose, even for a refusal.
 */
export async function readState(pool: pg.Pool): Promise<DatabaseState> {
  const names = await tableNames(pool);
  const parts = names.map(
    (name) =>
      `select ${pg.escapeLiteral(name)} as name, count(*)::int as rows,
        md5(coalesce(string_agg(r, '|' order by r), '')) as digest
       from (select (to_jsonb(t) - 'last_used_at')::text as r
             from ${pg.escapeIdentifier(name)} t) s`,
  );
  const result = await pool.query<{ name: string } & TableState>(parts.join(' union all '));
  return Object.fromEntries(
    result.rows.map((row) => [row.name, { rows: row.rows, digest: row.digest }]),
  );
}

/** Names of the tables whose rows differ between two states. */
export function changedTables(before: DatabaseState, after: DatabaseState): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter(
    (name) =>
      before[name]?.rows !== after[name]?.rows || before[name]?.digest !== after[name]?.digest,
  );
}
