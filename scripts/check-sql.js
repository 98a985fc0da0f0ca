#!/usr/bin/env node
/*
 * check-sql: fails when SQL in the server's source could be assembled from
 * strings instead of bound parameters. Kysely binds every value it is given,
 * so SQL injection can only come in where code opts out of that. The rules:
 *
 *  1. No `sql.raw(`, `sql.lit(` or any other `.raw(` call (that includes
 *     `CompiledQuery.raw`): each puts text into the statement unbound.
 *  2. In a tagged template `sql`…`` (with or without a type argument), each
 *     `${…}` must be a plain name or property path, a number, a nested sql
 *     template, or one of kysely's safe helpers: sql.ref, sql.table, sql.id,
 *     sql.join, sql.val. Kysely binds the plain values; anything else (a
 *     string built with + or a template literal, the result of some other
 *     call) is refused, because it may carry text into the SQL.
 *  3. The first argument of `.query(` or `.execute(` must not be a template
 *     literal with `${…}` or a concatenation with a string literal: that is
 *     driver-level SQL built from strings.
 *
 * Comments are ignored. Usage: node scripts/check-sql.js [file or folder …]
 * (default: src). Folders are searched for .ts files; files named on the
 * command line are checked whatever their extension, which is how the test
 * feeds it a fixture. Exit 0: clean; 1: findings, one per line; 2: usage.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';

const safeHelper = /^sql\.(ref|table|id|join|val)\(/;
const plainValue = /^(?:[A-Za-z_$][\w$]*(?:\??\.[A-Za-z_$][\w$]*)*|\d[\d_]*(?:\.\d+)?)$/;

/** The source with comments blanked out (kept as spaces, so positions and lines stay). */
export function withoutComments(text) {
  let out = '';
  let i = 0;
  const blank = (from, to) => text.slice(from, to).replace(/[^\n]/g, ' ');
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    if (two === '//' || two === '/*') {
      const end = two === '//' ? text.indexOf('\n', i) : text.indexOf('*/', i + 2) + 2;
      const stop = end <= 1 || end === -1 ? text.length : end;
      out += blank(i, stop);
      i = stop;
    } else if (text[i] === '"' || text[i] === "'" || text[i] === '`') {
      const stop = endOfLiteral(text, i);
      out += text.slice(i, stop);
      i = stop;
    } else {
      out += text[i];
      i += 1;
    }
  }
  return out;
}

/** Index just past the string or template literal that starts at `start`. */
function endOfLiteral(text, start) {
  const quote = text[start];
  let i = start + 1;
  while (i < text.length && text[i] !== quote) {
    if (text[i] === '\\') i += 2;
    else if (quote === '`' && text.startsWith('${', i)) i = endOfBraces(text, i + 1);
    else i += 1;
  }
  return i + 1;
}

/** Index just past the `}` that closes the `{` at `open`, skipping literals inside. */
function endOfBraces(text, open) {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const char = text[i];
    if (char === '"' || char === "'" || char === '`') {
      i = endOfLiteral(text, i);
      continue;
    }
    if (char === '{') depth += 1;
    if (char === '}' && --depth === 0) return i + 1;
    i += 1;
  }
  return text.length;
}

/** The `${…}` expressions of the template literal starting at `start`. */
function interpolations(text, start) {
  const found = [];
  let i = start + 1;
  while (i < text.length && text[i] !== '`') {
    if (text[i] === '\\') i += 2;
    else if (text.startsWith('${', i)) {
      const end = endOfBraces(text, i + 1);
      found.push({ at: i, expression: text.slice(i + 2, end - 1).trim() });
      i = end;
    } else i += 1;
  }
  return found;
}

/** The first argument of the call whose `(` is at `open`, up to a top-level comma or `)`. */
function firstArgument(text, open) {
  let depth = 0;
  let i = open;
  while (i < text.length) {
    const char = text[i];
    if (char === '"' || char === "'" || char === '`') {
      i = endOfLiteral(text, i);
      continue;
    }
    if ('([{'.includes(char)) depth += 1;
    if (')]}'.includes(char)) depth -= 1;
    if (depth === 0 || (depth === 1 && char === ',')) return text.slice(open + 1, i).trim();
    i += 1;
  }
  return text.slice(open + 1).trim();
}

function isSafeInterpolation(expression) {
  if (safeHelper.test(expression) || plainValue.test(expression)) return true;
  return /^sql(?:<[^`]*>)?`/.test(expression) && expression.endsWith('`');
}

function builtFromStrings(argument) {
  if (argument.startsWith('`') && argument.includes('${')) return true;
  return /(['"`]\s*\+)|(\+\s*['"`])/.test(argument);
}

/** Every finding in one file's text, as { line, rule, message }. */
export function checkSource(text) {
  const code = withoutComments(text);
  const lineOf = (index) => code.slice(0, index).split('\n').length;
  const findings = [];
  const report = (index, rule, message) => findings.push({ line: lineOf(index), rule, message });

  for (const match of code.matchAll(/\bsql\s*\.\s*(raw|lit)\s*\(|\.\s*raw\s*\(/g)) {
    const what = match[1] === undefined ? '.raw(' : `sql.${match[1]}(`;
    report(match.index, 'raw', `${what} puts unbound text into SQL`);
  }
  for (const match of code.matchAll(/\bsql\s*(?:<[^`;]*?>)?\s*`/g)) {
    const start = match.index + match[0].length - 1;
    for (const { at, expression } of interpolations(code, start)) {
      if (!isSafeInterpolation(expression)) {
        report(
          at,
          'interpolation',
          `\${${expression.slice(0, 40)}} in sql\`…\`: bind it with sql.val() or use sql.ref/table/id/join`,
        );
      }
    }
  }
  for (const match of code.matchAll(/\.\s*(query|execute)\s*\(/g)) {
    const argument = firstArgument(code, match.index + match[0].length - 1);
    if (builtFromStrings(argument)) {
      report(match.index, 'built-string', `.${match[1]}() is given SQL built from strings`);
    }
  }
  return findings.sort((a, b) => a.line - b.line);
}

function filesUnder(path) {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => {
    const full = join(path, entry.name);
    if (entry.isDirectory()) return filesUnder(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

function main(args) {
  const roots = args.length > 0 ? args : ['src'];
  let count = 0;
  for (const root of roots) {
    let files;
    try {
      files = statSync(root).isDirectory() ? filesUnder(root) : [root];
    } catch {
      process.stderr.write(`check-sql: ${root} does not exist\n`);
      return 2;
    }
    for (const file of files) {
      for (const finding of checkSource(readFileSync(file, 'utf8'))) {
        count += 1;
        process.stdout.write(
          `${relative('.', file)}:${finding.line}: [${finding.rule}] ${finding.message}\n`,
        );
      }
    }
  }
  if (count > 0)
    process.stdout.write(`check-sql: ${count} place(s) where SQL may be built from strings\n`);
  else process.stdout.write('check-sql: no SQL built from strings\n');
  return count > 0 ? 1 : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  process.exitCode = main(process.argv.slice(2));
