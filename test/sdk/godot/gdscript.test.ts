// Checks on the Godot SDK that run without Godot. Godot cannot run here, so
// the GDScript is parsed by tree-sitter-gdscript: that finds syntax errors,
// not type errors or behaviour, and wrong method names only where a check
// below compares names (the fixture runner against webtics.gd).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

import { describe, expect, it } from 'vitest';

import { maxDataBytes, maxDataDepth } from '../../../sdk/web/src/event-data.js';
import { maxSequence } from '../../../sdk/web/src/storage-layout.js';
import { eventCatalogue, magnitudeRules } from '../../../src/validation/catalogue.js';
import { loadWireFixtures } from '../fixture-match.js';

interface SyntaxNode {
  type: string;
  text: string;
  isMissing: boolean;
  hasError: boolean;
  startPosition: { row: number; column: number };
  children: SyntaxNode[];
  namedChildren: SyntaxNode[];
  childForFieldName(name: string): SyntaxNode | null;
  descendantsOfType(type: string): SyntaxNode[];
}

interface Parser {
  setLanguage(language: unknown): void;
  parse(
    input: string,
    oldTree?: unknown,
    options?: { bufferSize?: number },
  ): { rootNode: SyntaxNode };
}

const require = createRequire(import.meta.url);
const ParserClass = require('tree-sitter') as new () => Parser;
const parser = new ParserClass();
parser.setLanguage(require('tree-sitter-gdscript'));

const root = resolve(import.meta.dirname, '../../..');
const godotDir = join(root, 'sdk/godot');
const addonDir = join(godotDir, 'addons/webtics');

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '.godot' ? [] : filesUnder(path, extension);
    return entry.isFile() && entry.name.endsWith(extension) ? [path] : [];
  });
}

function parseTree(source: string): SyntaxNode {
  // Node's tree-sitter reads the text in chunks of bufferSize; larger files
  // need a larger buffer.
  return parser.parse(source, undefined, { bufferSize: source.length * 2 + 1024 }).rootNode;
}

// Every ERROR or MISSING node, as "line:column type" (1-based, as editors count).
function syntaxProblems(source: string): string[] {
  const problems: string[] = [];
  const visit = (node: SyntaxNode): void => {
    if (node.type === 'ERROR' || node.isMissing) {
      const { row, column } = node.startPosition;
      problems.push(
        `${row + 1}:${column + 1} ${node.isMissing ? `MISSING ${node.type}` : 'ERROR'}`,
      );
    }
    if (node.hasError) node.children.forEach(visit);
  };
  visit(parseTree(source));
  return problems;
}

function readConfig(path: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current = new Map<string, string>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const header = /^\[([^\]]+)\]\s*$/.exec(line);
    const pair = /^([\w/.-]+)\s*=\s*(.*)$/.exec(line);
    if (header) sections.set(header[1]!, (current = new Map()));
    else if (pair) current.set(pair[1]!, pair[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return sections;
}

// `const NAME := 100` lines of event_types.gd, as { NAME: 100 }.
function gdConstants(source: string): Record<string, number> {
  const constants: Record<string, number> = {};
  for (const match of source.matchAll(/^const ([A-Z_]+) := (\d+)$/gm)) {
    constants[match[1]!] = Number(match[2]);
  }
  return constants;
}

// The strings or numbers of a one-line `const NAME := [...]` array.
function gdList(source: string, name: string): (string | number)[] {
  const line = new RegExp(`^const ${name} := \\[(.*)\\]$`, 'm').exec(source);
  if (!line) throw new Error(`no one-line array ${name}`);
  return JSON.parse(`[${line[1]!}]`) as (string | number)[];
}

// The MAGNITUDE_RULES entries of event_types.gd, keyed by type number.
function gdMagnitudeRules(source: string, constants: Record<string, number>) {
  const pattern =
    /^\t([A-Z_]+): \{"name": "([^"]+)", "unit": "([^"]+)", "min": (\d+), "max": (\d+)\},$/gm;
  return new Map(
    [...source.matchAll(pattern)].map((m) => [
      constants[m[1]!],
      { name: m[2], unit: m[3], min: Number(m[4]), max: Number(m[5]) },
    ]),
  );
}

// A GDScript string literal's value, for the plain strings used as match
// patterns and keys ("flush", 'flush').
function unquote(literal: string): string {
  return literal.slice(1, -1);
}

// The strings that are patterns of a `match` anywhere in the file.
function matchPatterns(source: string): Set<string> {
  const sections = parseTree(source).descendantsOfType('pattern_section');
  const strings = sections.flatMap((section) =>
    section.namedChildren.filter((child) => child.type === 'string'),
  );
  return new Set(strings.map((node) => unquote(node.text)));
}

// Every string literal in the file.
function stringLiterals(source: string): Set<string> {
  return new Set(
    parseTree(source)
      .descendantsOfType('string')
      .map((n) => unquote(n.text)),
  );
}

// What the file reaches through a variable named `receiver`: `sdk.flush()`
// gives a method "flush", `sdk.transport` and `sdk.events_rejected` a member.
function usedThrough(source: string, receiver: string) {
  const methods = new Set<string>();
  const members = new Set<string>();
  for (const node of parseTree(source).descendantsOfType('attribute')) {
    const [base, next] = node.namedChildren;
    if (base?.type !== 'identifier' || base.text !== receiver || next === undefined) continue;
    if (next.type === 'attribute_call') methods.add(next.namedChildren[0]!.text);
    else if (next.type === 'identifier') members.add(next.text);
  }
  return { methods, members };
}

// The names a script declares at its top level: functions, and variables
// and signals (lambdas and locals are not counted).
function declared(source: string) {
  const nameOf = (node: SyntaxNode) => node.childForFieldName('name')!.text;
  const top = parseTree(source).namedChildren;
  const of = (type: string) => new Set(top.filter((n) => n.type === type).map(nameOf));
  const variables = of('variable_statement');
  const signals = of('signal_statement');
  return { functions: of('function_definition'), members: new Set([...variables, ...signals]) };
}

// Methods of Node that the runner calls on the SDK's node, listed by hand:
// the SDK inherits them, so it does not declare them.
const nodeMethods = new Set(['queue_free']);

// The fixtures' script calls that are not a match pattern of the runner,
// and what the runner uses of `sdk` that the SDK does not declare.
function runnerGaps(runner: string, sdk: string, calls: Iterable<string>) {
  const patterns = matchPatterns(runner);
  const used = usedThrough(runner, 'sdk');
  const has = declared(sdk);
  const isMissing = (name: string) => !has.functions.has(name) && !nodeMethods.has(name);
  return {
    unhandledCalls: [...new Set(calls)].filter((call) => !patterns.has(call)).sort(),
    missingMethods: [...used.methods].filter(isMissing).sort(),
    missingMembers: [...used.members].filter((name) => !has.members.has(name)).sort(),
  };
}

// The string literals of a top-level function of `source`, and of the
// functions of the same file it calls by bare name (one level down);
// comments do not count. Undefined when there is no such function.
function literalsOf(source: string, name: string): Set<string> | undefined {
  const functions = parseTree(source).namedChildren.filter(
    (node) => node.type === 'function_definition',
  );
  const byName = new Map(functions.map((node) => [node.childForFieldName('name')!.text, node]));
  const fn = byName.get(name);
  if (fn === undefined) return undefined;
  const callees = fn
    .descendantsOfType('call')
    .flatMap((call) => byName.get(call.namedChildren[0]?.text ?? '') ?? []);
  const strings = [fn, ...callees].flatMap((node) => node.descendantsOfType('string'));
  return new Set(strings.map((node) => unquote(node.text)));
}

// The words of `words` that are no string literal of the function (see
// literalsOf), or a note that the function is missing.
function missingLiterals(source: string, name: string, words: string[]): string[] {
  const literals = literalsOf(source, name);
  if (literals === undefined) return [`no function ${name}`];
  return words.filter((word) => !literals.has(word));
}

// The first line (0-based) on which the function calls `callee`, bare or
// through a name (`RetryPolicy.callee(…)`), or -1.
function firstCallRow(source: string, name: string, callee: string): number {
  const fn = parseTree(source)
    .namedChildren.filter((node) => node.type === 'function_definition')
    .find((node) => node.childForFieldName('name')!.text === name);
  const calls = ['call', 'attribute_call'].flatMap((type) => fn?.descendantsOfType(type) ?? []);
  const rows = calls
    .filter((call) => call.namedChildren[0]?.text === callee)
    .map((call) => call.startPosition.row);
  return rows.length === 0 ? -1 : Math.min(...rows);
}

const gdFiles = filesUnder(godotDir, '.gd');

describe('GDScript syntax', () => {
  it('finds the SDK, the example and the fixture runner', () => {
    const names = gdFiles.map((file) => relative(godotDir, file));
    expect(names).toEqual(
      expect.arrayContaining([
        'addons/webtics/plugin.gd',
        'addons/webtics/webtics.gd',
        'addons/webtics/event_types.gd',
        'addons/webtics/tests/fixture_runner.gd',
        'examples/reaction_time/main.gd',
      ]),
    );
  });

  it.each(gdFiles.map((file) => [relative(root, file), file]))('%s parses', (_name, file) => {
    expect(syntaxProblems(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it('reports a broken snippet, so the check above can fail', () => {
    const broken = 'extends Node\n\nfunc f(a: int -> void:\n\tif a >:\n\t\tpass\n';
    expect(syntaxProblems(broken).length).toBeGreaterThan(0);
    expect(syntaxProblems('extends Node\n\nfunc f(a: int) -> void:\n\tpass\n')).toEqual([]);
  });
});

describe('plugin.cfg', () => {
  it('names the plugin and a script that exists', () => {
    const plugin = readConfig(join(addonDir, 'plugin.cfg')).get('plugin');

    for (const key of ['name', 'description', 'author', 'version', 'script']) {
      expect(plugin?.get(key), key).toBeTruthy();
    }
    expect(plugin?.get('author')).toBe('WebTics');
    expect(existsSync(join(addonDir, plugin!.get('script')!))).toBe(true);
  });
});

describe('event_types.gd', () => {
  const source = readFileSync(join(addonDir, 'event_types.gd'), 'utf8');
  const constants = gdConstants(source);

  it('holds the server catalogue, name for name and number for number', () => {
    expect(constants).toEqual({ ...eventCatalogue });
  });

  it('gives the types with a required magnitude the server range and unit', () => {
    expect(gdMagnitudeRules(source, constants)).toEqual(
      new Map([...magnitudeRules].map(([type, rule]) => [type, { ...rule }])),
    );
  });
});

describe('webtics.gd and the files it loads', () => {
  const sdkSource = filesUnder(addonDir, '.gd')
    .filter((file) => !file.includes('/tests/'))
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');

  // A weak check: it proves the words are there, not that the code around
  // them does the right thing. The wire behaviour is held to the fixtures
  // by fixture_runner.gd, which runs only inside Godot.
  it.each([
    'X-Client-Sent-At',
    'X-API-Key',
    'retry-after',
    'last_sequence',
    'NOTIFICATION_WM_CLOSE_REQUEST',
    'set_auto_accept_quit(',
    'user://webtics/queue.json',
    'rename_absolute',
  ])('mentions %s', (piece) => {
    expect(sdkSource.includes(piece), piece).toBe(true);
  });

  it('documents every option in the README, and no other', () => {
    const webtics = readFileSync(join(addonDir, 'webtics.gd'), 'utf8');
    const block = /^const DEFAULT_OPTIONS := \{\n([\s\S]*?)\n\}/m.exec(webtics)![1]!;
    const readme = readFileSync(join(addonDir, 'README.md'), 'utf8');
    const section = readme.split('## Options')[1]!.split('\n## ')[0]!;

    const inCode = [...block.matchAll(/^\t"(\w+)":/gm)].map((m) => m[1]);
    const inReadme = [...section.matchAll(/^\| `(\w+)`/gm)].map((m) => m[1]);
    expect(inReadme).toEqual(inCode);
  });

  it('preloads only files that exist', () => {
    for (const file of gdFiles) {
      for (const match of readFileSync(file, 'utf8').matchAll(/preload\("([^"]+)"\)/g)) {
        const target = match[1]!;
        const path = target.startsWith('res://')
          ? join(addonDir, target.replace('res://addons/webtics/', ''))
          : join(file, '..', target);
        expect(existsSync(path), `${relative(root, file)}: ${target}`).toBe(true);
      }
    }
  });
});

// What this proves: the Godot SDK checks against the same numbers as the
// web SDK, and halves a batch refused whole on the same fields. What it
// does not prove: that the GDScript using them behaves (it has never run).
describe('limits and rules shared with the web SDK', () => {
  const source = (file: string) => readFileSync(join(addonDir, file), 'utf8');
  const eventData = gdConstants(source('event_data.gd'));
  const records = gdConstants(source('stored_records.gd'));

  it("refuses data by the web SDK's limits", () => {
    expect(eventData.MAX_DATA_BYTES).toBe(maxDataBytes);
    expect(eventData.MAX_DATA_DEPTH).toBe(maxDataDepth);
    expect(eventData.MAX_SAFE_INTEGER).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('keeps sequence numbers and ids in the ranges the web SDK restores', () => {
    expect(records.MAX_SEQUENCE).toBe(maxSequence);
    expect(records.MAX_ID).toBe(Number.MAX_SAFE_INTEGER);
    expect(gdConstants(source('event_queue.gd')).MAX_SEQUENCE).toBe(maxSequence);
  });

  it('lets through exactly the control characters JSON writes as a short escape', () => {
    const shortEscaped = Array.from({ length: 32 }, (_, code) => code).filter(
      (code) => JSON.stringify(String.fromCharCode(code)).length === 4,
    );
    expect(gdList(source('event_data.gd'), 'ESCAPED_CONTROLS')).toEqual(shortEscaped);
  });

  it('does not halve a 400 that names the fields the web SDK does not halve for', () => {
    const web = readFileSync(join(root, 'sdk/web/src/deliver-batch.ts'), 'utf8');
    const webFields = [...web.matchAll(/field !== '([^']+)'/g)].map((match) => match[1]);
    const godotFields = gdList(source('delivery.gd'), 'REQUEST_FIELDS');

    expect(webFields).toHaveLength(2);
    expect([...godotFields].sort()).toEqual([...webFields].sort());
  });
});

// What this proves: the server-answer test of retry_policy.gd reads a
// request id from the body ("request_id") and the header ("x-request-id"),
// the scripted transport of the fixture runner stamps an "x-request-id" on
// its answers, and delivery.gd asks is_foreign_too_large() before dropping a
// single event as too_large and when settling a close. A weak check: it
// finds string literals and calls, not that the code around them does what
// docs/sdk-protocol.md asks ("Errors: retry or not"); none of it has run.
describe("only the server's own answer refuses", () => {
  const source = (file: string) => readFileSync(join(addonDir, file), 'utf8');

  it("takes an error body for the server's only with a request id", () => {
    const policy = source('retry_policy.gd');
    expect(missingLiterals(policy, 'is_server_error_body', ['request_id', 'x-request-id'])).toEqual(
      [],
    );
  });

  it('gives every fixture answer an x-request-id header, as the web runner does', () => {
    const transport = source('tests/scripted_transport.gd');
    expect(missingLiterals(transport, '_answer', ['x-request-id'])).toEqual([]);
    const web = readFileSync(join(root, 'test/sdk/web/fixtures.test.ts'), 'utf8');
    expect(web).toContain("'x-request-id'");
  });

  it("keeps a single event and a close on a proxy's 413", () => {
    const delivery = source('delivery.gd');
    const checked = firstCallRow(delivery, '_deliver', 'is_foreign_too_large');
    const dropped = parseTree(delivery)
      .descendantsOfType('string')
      .find((node) => unquote(node.text) === 'too_large')!.startPosition.row;
    expect(checked).toBeGreaterThanOrEqual(0);
    expect(checked).toBeLessThan(dropped);
    expect(firstCallRow(delivery, '_deliver_close', 'is_foreign_too_large')).toBeGreaterThanOrEqual(
      0,
    );
  });

  it('reports a test without the request id and a missing call, so the checks can fail', () => {
    const codeOnly = [
      'extends RefCounted',
      '',
      'static func is_server_error_body(answer: Dictionary) -> bool:',
      '\t# request_id and x-request-id in a comment do not count',
      '\treturn answer["body"]["error"].get("code") is String',
      '',
    ].join('\n');
    const withHelper = [
      'extends RefCounted',
      '',
      'static func is_server_error_body(answer: Dictionary) -> bool:',
      '\treturn answer["body"]["error"].get("code") is String and _id(answer) is String',
      '',
      'static func _id(answer: Dictionary) -> Variant:',
      '\treturn answer["body"].get("request_id", answer["headers"].get("x-request-id"))',
      '',
    ].join('\n');
    const words = ['request_id', 'x-request-id'];

    expect(syntaxProblems(codeOnly)).toEqual([]);
    expect(syntaxProblems(withHelper)).toEqual([]);
    expect(missingLiterals(codeOnly, 'is_server_error_body', words)).toEqual(words);
    expect(missingLiterals(withHelper, 'is_server_error_body', [...words])).toEqual([]);
    expect(missingLiterals(withHelper, 'is_gone', words)).toEqual(['no function is_gone']);
    expect(firstCallRow(codeOnly, 'is_server_error_body', 'is_foreign_too_large')).toBe(-1);
    expect(firstCallRow(withHelper, 'is_server_error_body', '_id')).toBe(3);
  });
});

// What this proves: every `call` of the fixtures is a string pattern of a
// `match` in fixture_runner.gd, every config key and expect field they use is
// a string in it, and every method, variable and signal it reaches through
// `sdk.` is declared in webtics.gd. What it does not prove: that the branch
// of a call calls the right method with the right arguments, that argument
// counts and types fit (no Godot type check runs here), that the runner or
// the SDK behave as the fixtures demand (the runner has never run), or
// anything about calls made through a variable not named `sdk`.
describe('fixture_runner.gd and the wire fixtures', () => {
  const fixtures = loadWireFixtures();
  const runner = readFileSync(join(addonDir, 'tests/fixture_runner.gd'), 'utf8');
  const sdk = readFileSync(join(addonDir, 'webtics.gd'), 'utf8');
  const calls = fixtures.flatMap((fixture) => fixture.script.map((step) => step.call));

  it('reads all the fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(12);
    expect(calls).toEqual(expect.arrayContaining(['my_data', 'resume_sending', 'consent']));
  });

  it('handles every call the fixtures make, with methods the SDK has', () => {
    expect(runnerGaps(runner, sdk, calls)).toEqual({
      unhandledCalls: [],
      missingMethods: [],
      missingMembers: [],
    });
  });

  it('names every config key and expect field the fixtures use', () => {
    const keys = fixtures.flatMap((fixture) => [
      ...Object.keys(fixture.config ?? {}),
      ...Object.keys(fixture.expect ?? {}),
    ]);
    const strings = stringLiterals(runner);
    expect([...new Set(keys)].filter((key) => !strings.has(key))).toEqual([]);
  });

  it('reports a call without a branch and a method the SDK lacks, so the check can fail', () => {
    const runnerSnippet = [
      'extends SceneTree',
      '',
      'func _call(sdk: Node, step: Dictionary) -> Variant:',
      '\tmatch step["call"]:',
      '\t\t"flush", "close_play":',
      '\t\t\treturn await sdk.flush_all()',
      '\treturn sdk.wrong_name',
      '',
    ].join('\n');
    const sdkSnippet =
      'extends Node\n\nvar transport = null\n\nfunc flush() -> bool:\n\treturn true\n';

    expect(syntaxProblems(runnerSnippet)).toEqual([]);
    expect(runnerGaps(runnerSnippet, sdkSnippet, ['flush', 'my_data', 'close_play'])).toEqual({
      unhandledCalls: ['my_data'],
      missingMethods: ['flush_all'],
      missingMembers: ['wrong_name'],
    });
  });
});

describe('the reaction-time example', () => {
  const exampleDir = join(godotDir, 'examples/reaction_time');

  it('registers the autoload, enables the addon and opens main.tscn', () => {
    const project = readConfig(join(exampleDir, 'project.godot'));

    expect(project.get('autoload')?.get('WebTics')).toBe('*res://addons/webtics/webtics.gd');
    expect(project.get('editor_plugins')?.get('enabled')).toContain(
      'res://addons/webtics/plugin.cfg',
    );
    expect(project.get('application')?.get('run/main_scene')).toBe('res://main.tscn');
  });

  it('has a scene whose script exists and whose nodes main.gd looks up', () => {
    const scene = readFileSync(join(exampleDir, 'main.tscn'), 'utf8');
    const script = readFileSync(join(exampleDir, 'main.gd'), 'utf8');
    const nodePaths = new Set(
      [...scene.matchAll(/^\[node name="([^"]+)" type="\w+" parent="([^"]+)"/gm)].map(
        ([, name, parent]) => (parent === '.' ? name : `${parent}/${name}`),
      ),
    );

    expect(scene).toMatch(/^\[gd_scene [^\]]*format=3/);
    for (const [, parent] of scene.matchAll(/^\[node [^\]]*parent="([^"]+)"/gm)) {
      expect(parent === '.' || nodePaths.has(parent), `parent ${parent}`).toBe(true);
    }
    expect(scene).toContain('[ext_resource type="Script" path="res://main.gd"');
    for (const [, path] of script.matchAll(/\$([\w/]+)/g)) {
      expect(nodePaths, path).toContain(path);
    }
  });
});
