import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';

import { withDatabase } from '../../src/cli/with-database.js';
import { recordAudit } from '../../src/data/audit-log.js';
import { cli, useCliDatabase } from '../helpers/cli.js';

describe('webtics audit verify and purge', { timeout: 120_000 }, () => {
  useCliDatabase();

  it('says the trail is intact, then finds a changed record', async () => {
    await cli('studies', 'create', 'audited', '--title', 'Audited');
    await withDatabase(({ db }) =>
      recordAudit(db, { actor: 'system', action: 'export', studyId: 'audited' }),
    );

    const intact = await cli('audit', 'verify');
    await withDatabase(async ({ db }) => {
      await sql`alter table audit_log disable trigger audit_log_no_change`.execute(db);
      await sql`update audit_log set action = 'nothing' where action = 'export'`.execute(db);
      await sql`alter table audit_log enable trigger audit_log_no_change`.execute(db);
    });
    const broken = await cli('audit', 'verify');

    expect(intact).toMatchObject({
      code: 0,
      out: [expect.stringMatching(/^audit trail intact: \d+ records checked$/)],
    });
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(
      /audit trail broken at record \d+: it was changed after it was written/,
    );
  });

  it('purges by retention and reports per study', async () => {
    await cli('studies', 'create', 'short', '--title', 'Short');
    await withDatabase(({ db }) =>
      db.updateTable('studies').set({ retention_days: 7 }).where('id', '=', 'short').execute(),
    );

    const result = await cli('purge');

    expect(result.code).toBe(0);
    expect(result.out).toEqual([
      expect.stringMatching(/^short: erased 0 sessions and 0 rejected events from before /),
    ]);
  });
});
