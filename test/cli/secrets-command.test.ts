import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { looksLikeApiKey } from '../../src/auth/api-key.js';
import { envAdminKey } from '../../src/auth/env-admin-key.js';
import { run } from '../../src/cli/main.js';
import { loadConfig } from '../../src/config/config.js';
import { productionProblems } from '../../src/config/production-check.js';
import { makeTempDir } from '../helpers/temp-dir.js';

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(['node', 'webtics', ...args], {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const names = ['SECRET_KEY', 'WITHDRAWAL_SECRET_KEY', 'WEBTICS_API_KEY', 'POSTGRES_PASSWORD'];

describe('webtics secrets', () => {
  let folder: ReturnType<typeof makeTempDir>;
  let path: string;
  beforeEach(() => {
    folder = makeTempDir('webtics-secrets');
    path = join(folder.path, '.env');
  });
  afterEach(() => folder.remove());

  const written = () => parseEnv(readFileSync(path, 'utf8'));

  it('writes every secret, strong and random, to a file only its owner can read', async () => {
    const { code, out } = await cli('secrets', '--path', path);

    const env = written();
    expect(code).toBe(0);
    expect(Object.keys(env).sort()).toEqual([...names].sort());
    expect(env.SECRET_KEY).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(env.WITHDRAWAL_SECRET_KEY).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(env.POSTGRES_PASSWORD).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(env.WEBTICS_API_KEY).toMatch(/^wt_admin_/);
    expect(looksLikeApiKey(env.WEBTICS_API_KEY!)).toBe(true);
    expect(new Set(Object.values(env)).size).toBe(names.length);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(out).not.toContain(env.SECRET_KEY);
  });

  it('writes a file the server accepts for production, admin key included', async () => {
    await cli('secrets', '--path', path);

    const config = loadConfig({ ...written(), ENVIRONMENT: 'production' });

    expect(productionProblems(config)).toEqual([]);
    expect(envAdminKey(config.webticsApiKey)).toBeDefined();
  });

  it('writes different secrets every time', async () => {
    await cli('secrets', '--path', path);
    const first = written();
    await cli('secrets', '--path', path, '--force');

    expect(written().SECRET_KEY).not.toBe(first.SECRET_KEY);
  });

  it('refuses to replace an existing file without --force', async () => {
    writeFileSync(path, 'SECRET_KEY=the-one-in-use\n');

    const { code, err } = await cli('secrets', '--path', path);

    expect(code).toBe(1);
    expect(err).toContain(`${path} already exists`);
    expect(err).toContain('--force');
    expect(readFileSync(path, 'utf8')).toBe('SECRET_KEY=the-one-in-use\n');
  });

  it('replaces an existing file with --force, private again, leaving no temporary file', async () => {
    writeFileSync(path, 'SECRET_KEY=the-one-in-use\n');
    chmodSync(path, 0o644);

    const { code } = await cli('secrets', '--path', path, '--force');

    expect(code).toBe(0);
    expect(written().SECRET_KEY).not.toBe('the-one-in-use');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder.path)).toEqual(['.env']);
  });

  it('writes ./.env by default', async () => {
    const cwd = process.cwd();
    process.chdir(folder.path);
    try {
      expect((await cli('secrets')).code).toBe(0);
    } finally {
      process.chdir(cwd);
    }

    expect(Object.keys(written()).sort()).toEqual([...names].sort());
  });
});
