import { Command, InvalidArgumentError, Option } from 'commander';

import { roles } from '../auth/api-key.js';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKey } from '../data/api-keys.js';
import { recordAudit } from '../data/audit-log.js';
import { getStudy } from '../data/studies.js';
import type { Role } from '../db/schema.js';
import { ValidationError } from '../errors.js';
import { parseFutureTimestamp } from '../validation/timestamp.js';
import { apiKeyBody } from '../schemas/wire.js';
import type { Output } from './main.js';
import { withDatabase } from './with-database.js';

interface CreateOptions {
  role: Role;
  study?: string;
  label?: string;
  expires?: Date;
  json?: boolean;
}

function parseExpiry(text: string): Date {
  const result = parseFutureTimestamp(text);
  if (!result.ok) throw new InvalidArgumentError(`${result.message} (ISO 8601 with a zone)`);
  return result.time;
}

function parseKeyId(text: string): number {
  const id = /^[1-9][0-9]{0,15}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(id)) throw new InvalidArgumentError('a key id is a positive integer');
  return id;
}

function parseLabel(text: string): string {
  if (!/^[^\p{Cc}]{1,200}$/u.test(text)) {
    throw new InvalidArgumentError('use 1–200 characters without control characters');
  }
  return text;
}

function describe(key: ApiKey): string {
  const state = key.revokedAt
    ? 'revoked'
    : key.expiresAt && key.expiresAt < new Date()
      ? 'expired'
      : 'active';
  const used = key.lastUsedAt ? key.lastUsedAt.toISOString() : 'never';
  return [
    key.id,
    key.prefix + '…',
    key.role,
    key.studyId ?? '*',
    state,
    `used ${used}`,
    key.label ?? '',
  ]
    .join('\t')
    .trimEnd();
}

async function create(options: CreateOptions) {
  if (options.role === 'admin' && options.study !== undefined) {
    throw new ValidationError(
      '--study',
      'not_allowed',
      'admin keys reach every study; leave it out',
    );
  }
  const studyId = options.role === 'admin' ? null : (options.study ?? null);
  if (options.role !== 'admin' && studyId === null) {
    throw new ValidationError(
      '--study',
      'required',
      `is required for ${options.role === 'ingest' ? 'an' : 'a'} ${options.role} key`,
    );
  }
  return withDatabase(async ({ db }) => {
    if (studyId !== null) await getStudy(db, studyId);
    return db.transaction().execute(async (trx) => {
      const key = await createApiKey(trx, {
        role: options.role,
        studyId,
        label: options.label ?? null,
        expiresAt: options.expires ?? null,
      });
      const details = { key_id: key.id, role: key.role };
      await recordAudit(trx, { actor: 'cli', action: 'key.create', studyId, details });
      return key;
    });
  });
}

export function keysCommand(output: Output): Command {
  const keys = new Command('keys').description('create, list and revoke API keys');

  keys
    .command('create')
    .description('create a key; it is printed once and stored only as a hash')
    .addOption(
      new Option('--role <role>', 'what the key may do').choices(roles).makeOptionMandatory(),
    )
    .option('--study <id>', 'the study it is bound to (not for admin keys)')
    .option('--label <text>', 'a note to recognise the key by', parseLabel)
    .option('--expires <time>', 'when it stops working (ISO 8601 with a zone)', parseExpiry)
    .option('--json', 'print only one JSON object, with the key under "key"')
    .action(async (options: CreateOptions) => {
      const created = await create(options);
      if (options.json)
        return output.out(JSON.stringify({ ...apiKeyBody(created), key: created.key }));
      output.out(
        `created key ${created.id} (${created.role}${created.studyId ? ` for ${created.studyId}` : ''}):`,
      );
      output.out(created.key);
      output.out('Store it now: it cannot be shown again.');
    });

  keys
    .command('list')
    .description('list keys (never the keys themselves)')
    .option('--json', 'print one JSON array')
    .action(async (options: { json?: boolean }) => {
      const all = await withDatabase(({ db }) => listApiKeys(db));
      if (options.json) return output.out(JSON.stringify(all.map(apiKeyBody)));
      for (const key of all) output.out(describe(key));
    });

  keys
    .command('revoke')
    .description('revoke a key at once')
    .argument('<id>', 'the key id, as `keys list` shows it', parseKeyId)
    .action(async (id: number) => {
      const key = await withDatabase(({ db }) =>
        db.transaction().execute(async (trx) => {
          const revoked = await revokeApiKey(trx, id);
          const studyId = revoked.studyId;
          await recordAudit(trx, {
            actor: 'cli',
            action: 'key.revoke',
            studyId,
            details: { key_id: id },
          });
          return revoked;
        }),
      );
      output.out(`revoked key ${key.id} (${key.prefix}…)`);
    });
  return keys;
}
