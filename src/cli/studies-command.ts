import { Command } from 'commander';

import { recordAudit } from '../data/audit-log.js';
import { createStudy, listStudies } from '../data/studies.js';
import { ValidationError } from '../errors.js';
import { studyBody } from '../schemas/wire.js';
import { studyIdPattern } from '../validation/study-id.js';
import type { Output } from './main.js';
import { withDatabase } from './with-database.js';

export function studiesCommand(output: Output): Command {
  const studies = new Command('studies').description('create and list studies');

  studies
    .command('create <id>')
    .description('create a study; the id is a slug (lowercase letters, digits, _ and -)')
    .requiredOption('--title <text>', 'a title people will recognise')
    .option('--json', 'print the study as one JSON object')
    .action(async (id: string, options: { title: string; json?: boolean }) => {
      if (!studyIdPattern.test(id)) {
        throw new ValidationError(
          'id',
          'pattern',
          'use 1–63 lowercase letters, digits, _ and -, starting with a letter or digit',
        );
      }
      if (!/^[^\p{Cc}]{1,200}$/u.test(options.title)) {
        throw new ValidationError(
          '--title',
          'pattern',
          'use 1–200 characters without control characters',
        );
      }
      const study = await withDatabase(({ db }) =>
        db.transaction().execute(async (trx) => {
          const created = await createStudy(trx, { id, title: options.title });
          await recordAudit(trx, { actor: 'cli', action: 'study.create', studyId: id });
          return created;
        }),
      );
      output.out(
        options.json ? JSON.stringify(study) : `created study ${study.id}: ${study.title}`,
      );
    });

  studies
    .command('list')
    .description('list every study')
    .option('--json', 'print one JSON array')
    .action(async (options: { json?: boolean }) => {
      const all = await withDatabase(({ db }) => listStudies(db));
      if (options.json) return output.out(JSON.stringify(all.map(studyBody)));
      for (const study of all) {
        output.out(`${study.id}\t${study.active ? 'open' : 'closed'}\t${study.title}`);
      }
    });
  return studies;
}
