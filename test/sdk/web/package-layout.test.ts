import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { makeTempDir } from '../../helpers/temp-dir.js';

// The SDK as a package: what its package.json promises must be what its
// build writes, and both entries must load in plain Node.
const sdkDir = join(import.meta.dirname, '../../../sdk/web');
const manifest = JSON.parse(readFileSync(join(sdkDir, 'package.json'), 'utf8')) as {
  name: string;
  type: string;
  main: string;
  types: string;
  dependencies?: Record<string, string>;
  exports: Record<string, string | { types: string; default: string }>;
};
const tsc = join(import.meta.dirname, '../../../node_modules/typescript/bin/tsc');

describe('the web SDK package', () => {
  let out: ReturnType<typeof makeTempDir>;
  beforeAll(() => {
    out = makeTempDir('webtics-sdk-package');
    execFileSync(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--outDir', join(out.path, 'dist')],
      {
        cwd: sdkDir,
      },
    );
  }, 120_000);
  afterAll(() => out?.remove());

  const built = (path: string) => join(out.path, path);

  it('is an ES module with no run-time dependencies', () => {
    expect(manifest.type).toBe('module');
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it('builds every file its exports, main and types name', () => {
    const paths = [manifest.main, manifest.types];
    for (const [entry, target] of Object.entries(manifest.exports)) {
      if (entry === './package.json') continue;
      if (typeof target === 'string') paths.push(target);
      else paths.push(target.types, target.default);
    }
    expect(paths.filter((path) => !existsSync(built(path)))).toEqual([]);
  });

  it('loads both entries in Node and offers what the README uses', async () => {
    const main = (await import(pathToFileURL(built(manifest.main)).href)) as Record<
      string,
      unknown
    >;
    const nodeEntry = manifest.exports['./node'] as { default: string };
    const node = (await import(pathToFileURL(built(nodeEntry.default)).href)) as Record<
      string,
      unknown
    >;

    expect(typeof main.WebTics).toBe('function');
    expect(main.EventType).toMatchObject({ CORRECT_RESPONSE: 102 });
    expect(typeof node.FileStorage).toBe('function');
  });
});
