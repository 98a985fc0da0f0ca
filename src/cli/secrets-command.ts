import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

import { Command } from 'commander';

import { generateApiKey } from '../auth/api-key.js';
import type { Output } from './main.js';

function randomText(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** Fresh values for every secret a deployment needs, each from the system's CSPRNG. */
export function freshSecrets(): Record<string, string> {
  return {
    SECRET_KEY: randomText(64),
    WITHDRAWAL_SECRET_KEY: randomText(64),
    WEBTICS_API_KEY: generateApiKey('admin').key,
    POSTGRES_PASSWORD: randomText(32),
  };
}

function envText(secrets: Record<string, string>): string {
  const lines = [
    `# WebTics secrets, written by \`webtics secrets\` on ${new Date().toISOString()}.`,
    '# Keep this file private (mode 600) and out of version control.',
    '# Other settings: see .env.example. Rotating them: see docs/deployment-security.md.',
    '',
    ...Object.entries(secrets).map(([name, value]) => `${name}=${value}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Creates the file only if it does not exist yet (`wx`), so nothing is replaced by accident. */
function writeNew(path: string, text: string): void {
  try {
    writeFileSync(path, text, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new Error(
      `${path} already exists; its secrets are left alone. Use --force to replace them ` +
        '(read docs/deployment-security.md first: some secrets cannot simply be changed).',
    );
  }
}

/**
 * Writes a private temporary file beside the target and renames it over: the
 * old file is never half-written, and a symlink at the path is replaced
 * rather than followed.
 */
function replace(path: string, text: string): void {
  const temporary = join(dirname(path), `.${basename(path)}.${randomText(6)}.tmp`);
  try {
    writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
    renameSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
}

export function secretsCommand(output: Output): Command {
  return new Command('secrets')
    .description('write a fresh .env with strong random secrets (mode 600)')
    .option('--path <file>', 'where to write', '.env')
    .option('--force', 'replace an existing file')
    .action((options: { path: string; force?: boolean }) => {
      const secrets = freshSecrets();
      const text = envText(secrets);
      if (options.force) replace(options.path, text);
      else writeNew(options.path, text);

      output.out(`wrote ${options.path} (mode 600) with ${Object.keys(secrets).join(', ')}`);
      output.out('WEBTICS_API_KEY is an admin key: keep the file as private as a password.');
    });
}
