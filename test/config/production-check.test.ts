import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

import { describe, expect, it } from 'vitest';

import { run } from '../../src/cli/main.js';
import { freshSecrets } from '../../src/cli/secrets-command.js';
import { configVariables, loadConfig } from '../../src/config/config.js';
import {
  assertProductionReady,
  isPlaceholder,
  ProductionConfigError,
  productionProblems,
} from '../../src/config/production-check.js';
import { projectRoot } from '../../src/version.js';
import { testConfig } from '../helpers/config.js';
import { useTempDataDir } from '../helpers/temp-dir.js';

const example = parseEnv(readFileSync(join(projectRoot, '.env.example'), 'utf8'));
const strongSecret = 'k'.repeat(20) + 'Q7-x_9'.repeat(4);

function problemsOf(overrides: Parameters<typeof testConfig>[0]) {
  return productionProblems(testConfig({ environment: 'production', ...overrides }));
}

describe('production check', () => {
  it('asks nothing outside production', () => {
    expect(productionProblems(testConfig({ environment: 'development' }))).toEqual([]);
  });

  it('passes a production config with strong secrets', () => {
    expect(problemsOf({ secretKey: strongSecret, withdrawalSecretKey: strongSecret })).toEqual([]);
  });

  it('requires SECRET_KEY and WITHDRAWAL_SECRET_KEY in production', () => {
    const problems = problemsOf({ withdrawalSecretKey: undefined });

    expect(problems.map((problem) => problem.variable)).toEqual([
      'SECRET_KEY',
      'WITHDRAWAL_SECRET_KEY',
    ]);
  });

  it('refuses a SECRET_KEY shorter than 32 characters', () => {
    const [problem] = problemsOf({ secretKey: 'abc'.repeat(10) + 'd' });

    expect(problem?.message).toBe('SECRET_KEY: is shorter than 32 characters');
  });

  it('lists every problem at once, each naming its variable', () => {
    const error = (() => {
      try {
        assertProductionReady(
          testConfig({
            environment: 'production',
            secretKey: 'CHANGE_ME_run_webtics_secrets_and_make_it_long',
            withdrawalSecretKey: 'short',
            webticsApiKey: 'CHANGE_ME_run_webtics_secrets',
            allowedOrigins: ['*'],
            publicUrl: 'http://webtics.example.org',
          }),
        );
      } catch (caught) {
        return caught as ProductionConfigError;
      }
    })();

    expect(error).toBeInstanceOf(ProductionConfigError);
    expect(error?.problems.map((problem) => problem.variable)).toEqual([
      'SECRET_KEY',
      'WITHDRAWAL_SECRET_KEY',
      'WEBTICS_API_KEY',
      'ALLOWED_ORIGINS',
      'PUBLIC_URL',
    ]);
    expect(error?.message).toContain('SECRET_KEY: is still the placeholder from .env.example');
    expect(error?.message).toContain('PUBLIC_URL: must start with https:// in production');
  });

  it.each(['SECRET_KEY', 'WITHDRAWAL_SECRET_KEY', 'WEBTICS_API_KEY', 'POSTGRES_PASSWORD'])(
    'recognises the %s of .env.example as a placeholder',
    (name) => {
      expect(example[name]).toBeDefined();
      expect(isPlaceholder(example[name]!)).toBe(true);
    },
  );

  it('refuses .env.example as it stands for production', () => {
    const config = loadConfig({ ...example, ENVIRONMENT: 'production' });

    expect(productionProblems(config).map((problem) => problem.variable)).toEqual([
      'SECRET_KEY',
      'WITHDRAWAL_SECRET_KEY',
      'WEBTICS_API_KEY',
    ]);
  });

  it('lists every setting of the configuration in .env.example', () => {
    const text = readFileSync(join(projectRoot, '.env.example'), 'utf8');

    for (const { variable } of configVariables)
      expect(text).toMatch(new RegExp(`^#? ?${variable}=`, 'm'));
  });

  it('takes no fresh secret for a placeholder', () => {
    for (let round = 0; round < 50; round++) {
      for (const value of Object.values(freshSecrets())) expect(isPlaceholder(value)).toBe(false);
    }
  });

  it('stops `webtics serve` before opening the database, naming each bad secret', async () => {
    const dataDir = useTempDataDir();
    process.env.ENVIRONMENT = 'production';
    process.env.SECRET_KEY = 'too-short';
    process.env.ALLOWED_ORIGINS = '*';
    delete process.env.WITHDRAWAL_SECRET_KEY;
    const err: string[] = [];

    const code = await run(['node', 'webtics', 'serve'], {
      out: () => undefined,
      err: (text) => err.push(text),
    });
    const opened = readdirSync(dataDir.path).length > 0;
    dataDir.restore();

    expect(code).toBe(1);
    expect(opened).toBe(false);
    expect(err.join('\n')).toMatch(/ SECRET_KEY: is shorter than 32 characters/);
    expect(err.join('\n')).toMatch(/WITHDRAWAL_SECRET_KEY: is required in production/);
    expect(err.join('\n')).toMatch(/ALLOWED_ORIGINS: must list origins in production, not \*/);
  });
});
