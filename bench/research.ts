/**
 * Benchmarks for the research core, printed as ratios against baselines
 * measured in the same run (these machines are shared; absolute times are noise).
 *
 *   npm run bench                      # embedded PostgreSQL (PGlite, in memory)
 *   BENCH_DATABASE_URL=postgres://… npm run bench   # a PostgreSQL server database (it is emptied)
 *   BENCH_EVENTS=200000 npm run bench  # fewer events for a quick look
 *
 * 1. Withdrawal at 100 000 consents against withdrawal at 1 000: target ratio ≤ 2.
 * 2. Export of BENCH_EVENTS (default 1 000 000) events as CSV: rows per second,
 *    against a plain paged read of the same rows; peak memory against the
 *    process before the export.
 */
import { sql, type Kysely } from 'kysely';

import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';
import type { Database } from '../src/db/schema.js';
import { createConsent } from '../src/data/consents.js';
import { datasets } from '../src/exports/datasets.js';
import { exportLines, pageSize } from '../src/exports/export-stream.js';
import { receiptSigner } from '../src/research/receipt.js';
import {
  checkWithdrawalCode,
  codeLookup,
  generateWithdrawalCode,
} from '../src/research/withdrawal-code.js';
import { withdraw, type ResearchContext } from '../src/research/withdrawal.js';

const secret = 'benchmark-withdrawal-secret';
const context: ResearchContext = {
  withdrawalSecret: secret,
  signer: receiptSigner(secret),
  codeAttemptsPerMinute: 5,
};
const eventCount = Number(process.env.BENCH_EVENTS ?? 1_000_000);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function open(): Promise<DatabaseHandle> {
  const url = process.env.BENCH_DATABASE_URL;
  const handle = await openDatabase(url ? { kind: 'server', url } : { kind: 'memory' });
  await sql`truncate audit_log, consents, events, play_sessions, metric_sessions, rejected_events, api_keys, studies restart identity cascade`.execute(
    handle.db,
  );
  await handle.db.insertInto('studies').values({ id: 'bench', title: 'Benchmark' }).execute();
  return handle;
}

/** Consents with random code hashes, made in the database: only their number matters here. */
async function fillConsents(db: Kysely<Database>, upTo: number): Promise<void> {
  const have = (
    await db
      .selectFrom('consents')
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
  ).n;
  if (have >= upTo) return;
  await sql`
    insert into consents (study_id, participant_id, code_lookup, privacy_level, consent_version)
    select 'bench', 'p-fill-' || n, sha256(('fill' || n || random())::bytea), 'pseudonymous', '1'
    from generate_series(${have + 1}::int, ${upTo}::int) as n`.execute(db);
}

/** Median time of withdrawing participants, each with one session and a few events. */
async function timeWithdrawals(db: Kysely<Database>, count: number, tag: string): Promise<number> {
  const codes: string[] = [];
  for (let i = 0; i < count; i++) {
    const code = generateWithdrawalCode();
    const check = checkWithdrawalCode(code);
    if (!check.ok) throw new Error('generated code failed its own check');
    const consent = await createConsent(db, {
      studyId: 'bench',
      participantId: `p-${tag}-${i}`,
      codeLookup: codeLookup(secret, check.secret),
      privacyLevel: 'pseudonymous',
      ageRange: null,
      condition: null,
      recruitmentSite: null,
      consentVersion: '1',
      ethicsProtocolId: null,
    });
    const session = await db
      .insertInto('metric_sessions')
      .values({ study_id: 'bench', unique_id: consent.participantId, build_number: '1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const play = await db
      .insertInto('play_sessions')
      .values({ metric_session_id: session.id })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('events')
      .values(
        Array.from({ length: 20 }, () => ({
          play_session_id: play.id,
          event_type: 1,
          client_time: new Date(),
          corrected_time: new Date(),
        })),
      )
      .execute();
    codes.push(code);
  }
  const times: number[] = [];
  for (const code of codes) {
    const started = performance.now();
    await withdraw(db, context, code);
    times.push(performance.now() - started);
  }
  return median(times);
}

async function withdrawalBenchmark(db: Kysely<Database>): Promise<void> {
  await fillConsents(db, 1_000);
  await timeWithdrawals(db, 10, 'warm');
  const small = await timeWithdrawals(db, 30, 'small');
  await fillConsents(db, 100_000);
  const large = await timeWithdrawals(db, 30, 'large');
  const ratio = large / small;
  console.log(
    `withdrawal: median ${small.toFixed(2)} ms at 1 000 consents, ${large.toFixed(2)} ms at 100 000`,
  );
  console.log(
    `withdrawal: ratio ${ratio.toFixed(2)} (target ≤ 2.00) ${ratio <= 2 ? 'MET' : 'MISSED'}`,
  );
}

async function fillEvents(db: Kysely<Database>, count: number): Promise<void> {
  const session = await db
    .insertInto('metric_sessions')
    .values({ study_id: 'bench', unique_id: 'p-export', build_number: '1' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const play = await db
    .insertInto('play_sessions')
    .values({ metric_session_id: session.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (let done = 0; done < count; done += 100_000) {
    const n = Math.min(100_000, count - done);
    await sql`
      insert into events (play_session_id, event_type, x, y, magnitude, data, client_time,
                          corrected_time, sequence, monotonic_ms)
      select ${play.id}, 102, random() * 100, random() * 100, 200 + random() * 300,
             jsonb_build_object('trial', g), now() - (g || ' ms')::interval,
             now() - (g || ' ms')::interval, ${done} + g, g * 1.5
      from generate_series(1, ${n}::int) as g`.execute(db);
  }
}

async function exportBenchmark(db: Kysely<Database>): Promise<void> {
  await fillEvents(db, eventCount);
  const dataset = datasets.events;

  let started = performance.now();
  let rows = 0;
  for (let after = 0; ;) {
    const page = await dataset.page(db, 'bench', {}, after, pageSize);
    rows += page.length;
    if (page.length < pageSize) break;
    after = page.at(-1)!.event_id as number;
  }
  const readSeconds = (performance.now() - started) / 1000;

  global.gc?.();
  const baselineRss = process.memoryUsage().rss;
  const baselineHeap = process.memoryUsage().heapUsed;
  let peakRss = baselineRss;
  let peakHeap = baselineHeap;
  const sample = () => {
    const usage = process.memoryUsage();
    peakRss = Math.max(peakRss, usage.rss);
    peakHeap = Math.max(peakHeap, usage.heapUsed);
  };
  const sampler = setInterval(sample, 50);
  started = performance.now();
  let bytes = 0;
  for await (const line of exportLines(db, dataset, 'bench', {}, 'csv')) bytes += line.length;
  const exportSeconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  sample();

  const mb = (value: number) => (value / 1024 / 1024).toFixed(0);
  console.log(`export: ${rows} events, ${mb(bytes)} MB of CSV`);
  console.log(
    `export: ${(rows / exportSeconds).toFixed(0)} rows/s; plain paged read ${(rows / readSeconds).toFixed(0)} rows/s; ratio ${(readSeconds / exportSeconds).toFixed(2)}`,
  );
  console.log(
    `export: peak RSS ${mb(peakRss)} MB against ${mb(baselineRss)} MB before (ratio ${(peakRss / baselineRss).toFixed(2)}; constant memory keeps it near 1)`,
  );
}

const handle = await open();
try {
  await withdrawalBenchmark(handle.db);
  await exportBenchmark(handle.db);
} finally {
  await handle.close();
}
