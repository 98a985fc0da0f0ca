import { createHash } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { Database } from '../db/schema.js';
import { escapeJson } from '../http/security.js';
import { csvLine } from './csv.js';
import { rowId, type Dataset, type ExportFilters, type Row } from './datasets.js';

export type ExportFormat = 'csv' | 'ndjson';

/** Rows fetched per query: memory stays bounded by one page, whatever the export's size. */
export const pageSize = 2000;

function publicValues(dataset: Dataset, row: Row): unknown[] {
  return dataset.columns.map((column) => row[column.name]);
}

function line(dataset: Dataset, format: ExportFormat, row: Row): string {
  if (format === 'csv') return csvLine(publicValues(dataset, row));
  const object = Object.fromEntries(
    dataset.columns.map((column) => [column.name, row[column.name]]),
  );
  return `${escapeJson(JSON.stringify(object))}\n`;
}

/**
 * The export as text lines, read from the database a page at a time by id
 * (keyset paging: no cursor, the same on PGlite and a server). `done` gets
 * the row count, and whether the reader took every line.
 */
export async function* exportLines(
  db: Kysely<Database>,
  dataset: Dataset,
  studyId: string,
  filters: ExportFilters,
  format: ExportFormat,
  done: (rows: number, complete: boolean) => Promise<void> | void = () => undefined,
): AsyncGenerator<string> {
  let rows = 0;
  let complete = false;
  try {
    if (format === 'csv') yield csvLine(dataset.columns.map((column) => column.name));
    let afterId = 0;
    for (;;) {
      const page = await dataset.page(db, studyId, filters, afterId, pageSize);
      for (const row of page) yield line(dataset, format, row);
      rows += page.length;
      const last = page.at(-1);
      if (last === undefined || page.length < pageSize) break;
      afterId = rowId(dataset, last);
    }
    complete = true;
  } finally {
    await done(rows, complete);
  }
}

/** Reads an export through without sending it: its row count and SHA-256, for a manifest. */
export async function digestExport(
  db: Kysely<Database>,
  dataset: Dataset,
  studyId: string,
  filters: ExportFilters,
  format: ExportFormat,
): Promise<{ rows: number; sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  for await (const text of exportLines(db, dataset, studyId, filters, format, (count) => {
    rows = count;
  })) {
    hash.update(text, 'utf8');
    bytes += Buffer.byteLength(text, 'utf8');
  }
  return { rows, sha256: hash.digest('hex'), bytes };
}

/** A download name from safe parts only: the study slug, the dataset, the time. */
export function downloadName(
  studyId: string,
  dataset: Dataset,
  format: ExportFormat,
  at: Date,
): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `webtics-${studyId}-${dataset.name}-${stamp}.${format}`;
}
