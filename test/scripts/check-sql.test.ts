import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

import { describe, expect, it } from 'vitest';

import { checkSource } from '../../scripts/check-sql.js';
import { projectRoot } from '../../src/version.js';

const script = join(projectRoot, 'scripts', 'check-sql.js');
const fixture = (name: string) => join(projectRoot, 'test', 'scripts', 'fixtures', name);

/** Runs the script as CI does; gives its exit code and output. */
function run(...args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync(process.execPath, [script, ...args], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    return { code: 0, output };
  } catch (error) {
    const failed = error as { status: number; stdout: string; stderr: string };
    return { code: failed.status, output: failed.stdout + failed.stderr };
  }
}

describe('check-sql', () => {
  it('passes on the server source', () => {
    const result = run();

    expect(result.output).toContain('no SQL built from strings');
    expect(result.code).toBe(0);
  });

  it('fails on a file of bad patterns, naming each line', () => {
    const result = run(fixture('check-sql-bad.ts.txt'));

    expect(result.code).toBe(1);
    const lines = [...result.output.matchAll(/\.txt:(\d+):/g)].map((m) => Number(m[1]));
    expect(new Set(lines)).toEqual(new Set([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]));
  });

  it('passes bound values, safe helpers and comments', () => {
    expect(run(fixture('check-sql-good.ts.txt'))).toMatchObject({ code: 0 });
  });

  it('answers 2 for a path that does not exist', () => {
    expect(run('no/such/folder').code).toBe(2);
  });

  it.each([
    ['sql.raw', 'sql.raw(x)', 'raw'],
    ['a raw call on anything', 'CompiledQuery.raw(text, [])', 'raw'],
    ['sql.lit', 'sql`a ${sql.lit(x)}`', 'raw'],
    ['a template literal inside sql``', 'sql`a ${`b${c}`}`', 'interpolation'],
    ['a call that is not a helper', 'sql`a ${clause(x)}`', 'interpolation'],
    ['a concatenation given to query', 'client.query("a" + b)', 'built-string'],
    ['a template given to execute', 'x.execute(`a ${b}`)', 'built-string'],
  ])('reports %s', (_name, source, rule) => {
    expect(checkSource(source).map((finding) => finding.rule)).toContain(rule);
  });

  it('reports the line of a finding after a multi-line comment', () => {
    expect(checkSource('/*\n sql.raw(x)\n*/\nsql.raw(y)')).toEqual([
      expect.objectContaining({ line: 4, rule: 'raw' }),
    ]);
  });
});
