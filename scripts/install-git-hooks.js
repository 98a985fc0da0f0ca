#!/usr/bin/env node
// Points git at .githooks so the pre-commit gates run for everyone who clones
// and installs. It runs from `npm install` (prepare), so it never fails the
// install: outside a git checkout (a Docker build, a tarball), in CI, or
// without git it says why it did nothing and exits 0.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function git(...args) {
  return execFileSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  }).trim();
}

function skip(reason) {
  process.stdout.write(`git hooks not installed: ${reason}\n`);
}

function install() {
  if (process.env.CI) return skip('CI runs the same checks itself');
  if (!existsSync(join(root, '.githooks', 'pre-commit'))) return skip('no .githooks folder');
  let top;
  try {
    top = git('rev-parse', '--show-toplevel');
  } catch {
    return skip('not a git checkout (or git is missing)');
  }
  // Installed as a dependency inside someone else's repository: leave theirs alone.
  if (resolve(top) !== root) return skip('this package is not the top of the repository');
  git('config', 'core.hooksPath', '.githooks');
  process.stdout.write('git hooks installed: .githooks/pre-commit runs the fast checks\n');
}

try {
  install();
} catch (error) {
  skip(error instanceof Error ? error.message : String(error));
}
