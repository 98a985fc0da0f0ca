import { Command } from 'commander';

import { verifyAuditChain } from '../data/audit-log.js';
import { purgeExpired } from '../research/retention.js';
import type { Output } from './main.js';
import { withDatabase } from './with-database.js';

export function purgeCommand(output: Output): Command {
  return new Command('purge')
    .description(
      "erase data older than each study's retention period (the server also does this daily)",
    )
    .action(async () => {
      const results = await withDatabase(({ db }) => purgeExpired(db, 'cli'));
      if (results.length === 0) output.out('no study has a retention period; nothing to purge');
      for (const result of results) {
        output.out(
          `${result.studyId}: erased ${result.sessions} sessions and ${result.rejectedEvents} ` +
            `rejected events from before ${result.cutoff}`,
        );
      }
    });
}

export function auditCommand(output: Output): Command {
  const audit = new Command('audit').description('the audit trail');
  audit
    .command('verify')
    .description('check the hash chain of the audit trail and say where it breaks')
    .action(async () => {
      const result = await withDatabase(({ db }) => verifyAuditChain(db));
      if (result.ok) return output.out(`audit trail intact: ${result.checked} records checked`);
      throw new Error(
        `audit trail broken at record ${result.brokenAt}: it ${result.reason} ` +
          `(${result.checked} records before it are intact)`,
      );
    });
  return audit;
}
