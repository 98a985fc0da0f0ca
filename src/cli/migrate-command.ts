import { Command } from 'commander';

import type { Output } from './main.js';
import { withDatabase } from './with-database.js';

export function migrateCommand(output: Output): Command {
  return new Command('migrate')
    .description('bring the database schema up to date (the server also does this at start)')
    .action(async () => {
      await withDatabase(async () => undefined);
      output.out('database schema is up to date');
    });
}
