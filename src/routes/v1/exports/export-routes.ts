import { Readable } from 'node:stream';

import Type from 'typebox';

import { assertStudyAccess, auditActor } from '../../../auth/principal.js';
import { recordAudit } from '../../../data/audit-log.js';
import { getStudy } from '../../../data/studies.js';
import { datasets, type Dataset } from '../../../exports/datasets.js';
import {
  digestExport,
  downloadName,
  exportLines,
  type ExportFormat,
} from '../../../exports/export-stream.js';
import { principalOf } from '../../../http/authenticate.js';
import { errors } from '../../../schemas/common.js';
import { magnitudeRules, eventCatalogue } from '../../../validation/catalogue.js';
import { version } from '../../../version.js';
import { readerRoles, type App, type RouteDeps } from '../../types.js';
import { StudyId } from '../studies/study-routes.js';
import { askedFilters, ExportQuery, filtersFrom } from './export-query.js';

const filePattern = /^(events|sessions|play-sessions|rejected-events|consents)\.(csv|ndjson)$/;

const FileParams = Type.Object(
  {
    study_id: StudyId,
    file: Type.String({
      pattern: filePattern.source,
      description:
        'events, sessions, play-sessions, rejected-events or consents, then .csv or .ndjson',
    }),
  },
  { additionalProperties: false },
);
const Manifest = Type.Object({
  study_id: Type.String(),
  format: Type.String(),
  filters: Type.Record(Type.String(), Type.String()),
  server: Type.Object({ name: Type.String(), version: Type.String() }),
  generated_at: Type.String(),
  files: Type.Array(
    Type.Object({
      dataset: Type.String(),
      path: Type.String(),
      rows: Type.Integer(),
      bytes: Type.Integer(),
      sha256: Type.String(),
    }),
  ),
});

const Codebook = Type.Object({
  study: Type.Object({
    id: Type.String(),
    title: Type.String(),
    ethics_protocol_id: Type.Union([Type.String(), Type.Null()]),
    privacy_level: Type.String(),
  }),
  datasets: Type.Array(
    Type.Object({
      name: Type.String(),
      description: Type.String(),
      columns: Type.Array(
        Type.Object({
          name: Type.String(),
          type: Type.String(),
          unit: Type.Optional(Type.String()),
          description: Type.String(),
        }),
      ),
    }),
  ),
  event_catalogue: Type.Array(
    Type.Object({
      event_type: Type.Integer(),
      name: Type.String(),
      magnitude: Type.Union([
        Type.Object({
          meaning: Type.String(),
          unit: Type.String(),
          min: Type.Number(),
          max: Type.Number(),
          required: Type.Boolean(),
        }),
        Type.Null(),
      ]),
    }),
  ),
  notes: Type.Array(Type.String()),
});

const StudyParams = Type.Object({ study_id: StudyId }, { additionalProperties: false });
const ManifestQuery = Type.Object(
  {
    ...ExportQuery.properties,
    format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('ndjson')])),
  },
  { additionalProperties: false },
);

function parseFile(file: string): { dataset: Dataset; format: ExportFormat } {
  const [, name, format] = filePattern.exec(file)!;
  return { dataset: datasets[name as Dataset['name']], format: format as ExportFormat };
}

export function exportRoutes(app: App, { db }: RouteDeps): void {
  app.get(
    '/api/v1/studies/:study_id/export/:file',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'Download a dataset of a study as CSV or NDJSON, streamed',
        description:
          'Filters: from/to (time), event_type, build, participant. CSV cells a spreadsheet would run as a ' +
          'formula start with an apostrophe. Every export is written to the audit trail with its row count.',
        tags: ['research'],
        params: FileParams,
        querystring: ExportQuery,
        response: {
          200: Type.Unknown({ description: 'the file, streamed' }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const studyId = request.params.study_id;
      assertStudyAccess(principal, studyId);
      await getStudy(db, studyId);
      const { dataset, format } = parseFile(request.params.file);
      const filters = filtersFrom(request.query);

      const name = downloadName(studyId, dataset, format, new Date());
      const type =
        format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
      reply
        .header('content-type', type)
        .header('content-disposition', `attachment; filename="${name}"`);
      // A HEAD request learns the headers only: no export is read, none is recorded.
      if (request.method === 'HEAD') return reply.send();

      const audit = (rows: number, complete: boolean) =>
        recordAudit(db, {
          ...auditActor(principal),
          action: complete ? 'export' : 'export.interrupted',
          studyId,
          details: { dataset: dataset.name, format, filters: askedFilters(request.query), rows },
        }).catch((error: unknown) => request.log.error({ err: error }, 'export audit failed'));
      const lines = exportLines(db, dataset, studyId, filters, format, audit);
      return reply.send(Readable.from(lines));
    },
  );

  app.get(
    '/api/v1/studies/:study_id/export/manifest',
    {
      config: { roles: readerRoles },
      schema: {
        summary:
          'What an export holds: row counts and a SHA-256 of each file, for citing and checking',
        description:
          'Computed by reading every dataset with the same filters; compare it with downloads taken ' +
          'while the study receives no new data (or filter with `to`).',
        tags: ['research'],
        params: StudyParams,
        querystring: ManifestQuery,
        response: { 200: Manifest, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const studyId = request.params.study_id;
      assertStudyAccess(principal, studyId);
      await getStudy(db, studyId);
      const { format = 'csv', ...query } = request.query;
      const filters = filtersFrom(query);
      const generatedAt = new Date();

      const files = [];
      for (const dataset of Object.values(datasets)) {
        const digest = await digestExport(db, dataset, studyId, filters, format);
        files.push({ dataset: dataset.name, path: `${dataset.name}.${format}`, ...digest });
      }
      await recordAudit(db, {
        ...auditActor(principal),
        action: 'export.manifest',
        studyId,
        details: { format, filters: askedFilters(query) },
      });
      return {
        study_id: studyId,
        format,
        filters: askedFilters(query),
        server: { name: 'webtics', version },
        generated_at: generatedAt.toISOString(),
        files,
      };
    },
  );

  app.get(
    '/api/v1/studies/:study_id/export/codebook',
    {
      config: { roles: readerRoles },
      schema: {
        summary: 'Every column of every dataset, and the event catalogue with units',
        tags: ['research'],
        params: StudyParams,
        response: { 200: Codebook, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const studyId = request.params.study_id;
      assertStudyAccess(principalOf(request), studyId);
      const study = await getStudy(db, studyId);
      const catalogue = Object.entries(eventCatalogue).map(([name, type]) => {
        const rule = magnitudeRules.get(type);
        return {
          event_type: type,
          name,
          magnitude:
            rule === undefined
              ? null
              : {
                  meaning: rule.name,
                  unit: rule.unit,
                  min: rule.min,
                  max: rule.max,
                  required: true,
                },
        };
      });
      return {
        study: {
          id: study.id,
          title: study.title,
          ethics_protocol_id: study.ethicsProtocolId,
          privacy_level: study.privacyLevel,
        },
        datasets: Object.values(datasets).map((dataset) => ({
          name: dataset.name,
          description: dataset.description,
          columns: dataset.columns,
        })),
        event_catalogue: catalogue,
        notes: [
          'Types 0–99 are free for general game events, 900–999 for a study’s own; their magnitude is unchecked.',
          'Times are UTC, ISO 8601, to the millisecond. Empty CSV cells are missing values (NULL), never 0.',
          'CSV text cells that would start with = + - @ or a tab are prefixed with an apostrophe.',
          'The from and to filters apply to the device’s own timestamp for events (received_at ' +
            'for rejected events); use corrected_time to place events on one clock.',
          'A play session is complete when its events carry every sequence number from 1 to ' +
            'last_sequence, less those in rejected-events; GET /api/v1/play-sessions/{id}/completeness ' +
            'does this check.',
        ],
      };
    },
  );
}
