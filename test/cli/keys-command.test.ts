import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { hashApiKey } from '../../src/auth/api-key.js';
import { withDatabase } from '../../src/cli/with-database.js';
import { findApiKeyByHash } from '../../src/data/api-keys.js';
import { onServer, openTestDatabase } from '../helpers/database.js';
import { cli } from '../helpers/cli.js';
import { useTempDataDir } from '../helpers/temp-dir.js';

/** Creates a key through the CLI and returns what it printed as JSON. */
async function createKey(...args: string[]) {
  const { out } = await cli('keys', 'create', ...args, '--json');
  return JSON.parse(out[0]!) as { id: number; key: string; prefix: string };
}

function lookUp(key: string) {
  return withDatabase(({ db }) => findApiKeyByHash(db, hashApiKey(key)));
}

describe('webtics keys', () => {
  let dataDir: ReturnType<typeof useTempDataDir>;
  let server: Awaited<ReturnType<typeof openTestDatabase>> | undefined;

  beforeAll(async () => {
    dataDir = useTempDataDir();
    if (onServer) {
      server = await openTestDatabase();
      process.env.DATABASE_URL = server.url;
    }
    await cli('studies', 'create', 'keys-study', '--title', 'Keys');
  });
  afterAll(async () => {
    await server?.close();
    dataDir.restore();
  });

  it('prints exactly one JSON object holding the new key with --json', async () => {
    const { code, out, err } = await cli(
      'keys',
      'create',
      '--role',
      'ingest',
      '--study',
      'keys-study',
      '--json',
    );

    expect(code).toBe(0);
    expect(err).toBe('');
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0]!)).toMatchObject({
      key: expect.stringMatching(/^wt_ingest_/),
      role: 'ingest',
      study_id: 'keys-study',
    });
  });

  it('stores the created key so that its hash finds it, bound to its study', async () => {
    const created = await createKey('--role', 'ingest', '--study', 'keys-study');

    const stored = await lookUp(created.key);

    expect(stored).toMatchObject({
      id: created.id,
      role: 'ingest',
      studyId: 'keys-study',
      revokedAt: null,
    });
  });

  it('prints the key once, with a warning to store it, without --json', async () => {
    const { code, out } = await cli('keys', 'create', '--role', 'admin', '--label', 'ops');

    expect(code).toBe(0);
    expect(out[0]).toMatch(/^created key \d+ \(admin\):$/);
    expect(out[1]).toMatch(/^wt_admin_/);
    expect(out[2]).toContain('cannot be shown again');
  });

  it('fails with exit 1 and names --study when an ingest key has no study', async () => {
    const { code, out, err } = await cli('keys', 'create', '--role', 'ingest');

    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toMatch(/^webtics: --study: is required/);
  });

  it('fails with exit 1 when the study does not exist', async () => {
    const { code, out, err } = await cli(
      'keys',
      'create',
      '--role',
      'researcher',
      '--study',
      'nope',
    );

    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toBe('webtics: study nope not found');
  });

  it('lists keys by prefix and never prints a key itself', async () => {
    const created = await createKey('--role', 'researcher', '--study', 'keys-study');

    const text = await cli('keys', 'list');
    const json = await cli('keys', 'list', '--json');

    expect(text.out.join('\n')).toContain(`${created.id}\t${created.prefix}…\tresearcher`);
    expect(json.out[0]).toContain(created.prefix);
    expect(text.out.join('\n')).not.toContain(created.key);
    expect(json.out[0]).not.toContain(created.key);
  });

  it('is a usage error (exit 2) to name an unknown role, listing the roles', async () => {
    const result = await cli('keys', 'create', '--role', 'boss');

    expect(result.code).toBe(2);
    expect(result.err).toMatch(/ingest, researcher, admin/);
  });

  it('is a usage error (exit 2) to revoke a key id that is not a number', async () => {
    const result = await cli('keys', 'revoke', 'abc');

    expect(result.code).toBe(2);
    expect(result.err).toMatch(/positive integer/);
  });

  it('is a usage error (exit 2) to give an expiry in the past or without a zone', async () => {
    const past = await cli(
      'keys',
      'create',
      '--role',
      'admin',
      '--expires',
      '2020-01-01T00:00:00Z',
    );
    const naive = await cli(
      'keys',
      'create',
      '--role',
      'admin',
      '--expires',
      '2090-01-01T00:00:00',
    );

    expect(past.code).toBe(2);
    expect(past.err).toMatch(/future/);
    expect(naive.code).toBe(2);
  });

  it('refuses a study for an admin key instead of ignoring it', async () => {
    const result = await cli('keys', 'create', '--role', 'admin', '--study', 'keys-study');

    expect(result.code).toBe(1);
    expect(result.err).toMatch(/admin keys reach every study/);
  });

  it('is a usage error (exit 2) to give a label with control characters', async () => {
    const result = await cli('keys', 'create', '--role', 'admin', '--label', 'bad\u001b[31m');

    expect(result.code).toBe(2);
  });

  it('revokes a key by id', async () => {
    const created = await createKey('--role', 'ingest', '--study', 'keys-study');

    const { code, out } = await cli('keys', 'revoke', String(created.id));

    expect(code).toBe(0);
    expect(out).toEqual([`revoked key ${created.id} (${created.prefix}…)`]);
    expect((await lookUp(created.key))?.revokedAt).toBeInstanceOf(Date);
  });

  it('fails with exit 1 when the key to revoke does not exist', async () => {
    const { code, err } = await cli('keys', 'revoke', '999999');

    expect(code).toBe(1);
    expect(err).toBe('webtics: key 999999 not found');
  });

  describe.skipIf(onServer)('on the embedded database', () => {
    it('fails with a message saying the database is in use by another process', async () => {
      const other = spawn('sleep', ['60'], { stdio: 'ignore' });
      const lockFile = join(dataDir.path, 'webtics.lock');
      writeFileSync(lockFile, String(other.pid));

      try {
        const { code, out, err } = await cli('keys', 'list');

        expect(code).toBe(1);
        expect(out).toEqual([]);
        expect(err).toContain(`is in use by process ${other.pid}`);
      } finally {
        other.kill();
        rmSync(lockFile, { force: true });
      }
    });
  });
});
