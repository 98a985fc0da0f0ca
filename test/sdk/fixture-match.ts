// Reads the wire fixtures (sdk/fixtures/wire/*.json) and matches requests and
// answers against them, by the rules in docs/sdk-protocol.md ("Fixtures").
// Shared by the web SDK's fixture runner and the server's replay of them.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A request as a fixture describes it; `headers` names are lower case. */
export interface FixtureRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/events/batch?play_session_id={play_session_id}`. */
  path: string;
  headers?: Record<string, unknown>;
  body?: unknown;
}

/** An answer, or a connection cut before any answer. */
export type FixtureResponse =
  { status: number; headers?: Record<string, string>; body?: unknown } | { network_error: true };

/** One request the SDK must make, and the answer it gets. */
export interface Exchange {
  note?: string;
  /** True when the real server gives this answer to this request; the server replay sends only those. */
  server: boolean;
  /**
   * With `server: false`: the request did reach the server, but the answer was
   * lost on the way back. A replay sends it and throws the answer away.
   */
  reached_server?: boolean;
  /** The SDK must wait at least this long after the previous answer before sending. */
  min_wait_ms?: number;
  request: FixtureRequest;
  response: FixtureResponse;
}

/** A call the game makes; `fails: true` when the call must reject. */
export interface ScriptStep {
  call: string;
  fails?: boolean;
  [field: string]: unknown;
}

/** One scenario. */
export interface WireFixture {
  /** The file name, for messages. */
  file: string;
  name: string;
  description: string;
  config?: Record<string, unknown>;
  script: ScriptStep[];
  exchanges: Exchange[];
  /** What the SDK must have reported at the end (see sdk/fixtures/wire/README.md). */
  expect?: { rejected?: unknown[]; pending_events?: number };
}

/** Values captured by `<kind:label>` matchers, by label. */
export type Captures = Record<string, unknown>;
/** Values of the run that `{name}` stands for (`api_key`, `session_id`, `play_session_id`). */
export type Vars = Record<string, unknown>;

export const wireFixtureDir = fileURLToPath(new URL('../../sdk/fixtures/wire/', import.meta.url));

const matcher = /^<(uuid|iso-time|number|integer|any)(?::([A-Za-z0-9_-]+))?>$/;
const wholePlaceholder = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const placeholder = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const uuidText = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isoTimeText = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Every fixture in `dir`, sorted by file name. */
export function loadWireFixtures(dir = wireFixtureDir): WireFixture[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as object) }))
    .map((fixture) => fixture as WireFixture);
}

/**
 * Matches `actual` against the fixture value `expected`: objects by subset,
 * arrays element by element and of the same length, `<kind>` and
 * `<kind:label>` matchers, `{name}` placeholders. Labels seen for the first
 * time are captured into `captures`. Returns one message per mismatch; an
 * empty list is a match.
 */
export function matchValue(
  expected: unknown,
  actual: unknown,
  captures: Captures,
  vars: Vars,
  path = '$',
): string[] {
  if (typeof expected === 'string') return matchString(expected, actual, captures, vars, path);
  if (Array.isArray(expected)) return matchArray(expected, actual, captures, vars, path);
  if (expected !== null && typeof expected === 'object') {
    return matchObject(expected as Record<string, unknown>, actual, captures, vars, path);
  }
  return Object.is(expected, actual) ? [] : [mismatch(path, expected, actual)];
}

/**
 * Turns a fixture value into a concrete one: `{name}` and captured labels
 * become their values, other matchers a fresh value of their kind (a new
 * UUID, the time now …), which is then captured under its label.
 */
export function materialize(
  pattern: unknown,
  captures: Captures,
  vars: Vars,
  options: { now?: () => Date } = {},
): unknown {
  if (typeof pattern === 'string') return materializeString(pattern, captures, vars, options);
  if (Array.isArray(pattern))
    return pattern.map((item) => materialize(item, captures, vars, options));
  if (pattern !== null && typeof pattern === 'object') {
    const entries = Object.entries(pattern).map(([key, value]) => [
      key,
      materialize(value, captures, vars, options),
    ]);
    return Object.fromEntries(entries);
  }
  return pattern;
}

function matchString(
  expected: string,
  actual: unknown,
  captures: Captures,
  vars: Vars,
  path: string,
): string[] {
  const token = matcher.exec(expected);
  if (token) return matchToken(token[1]!, token[2], actual, captures, vars, path);

  const whole = wholePlaceholder.exec(expected);
  if (whole) {
    const value = lookup(whole[1]!, captures, vars);
    if (value === undefined) return [`${path}: {${whole[1]}} has no value`];
    return sameValue(value, actual) ? [] : [mismatch(path, value, actual)];
  }
  const text = expected.replace(placeholder, (all, name: string) =>
    asText(lookup(name, captures, vars) ?? all),
  );
  return text === actual ? [] : [mismatch(path, text, actual)];
}

function matchToken(
  kind: string,
  label: string | undefined,
  actual: unknown,
  captures: Captures,
  vars: Vars,
  path: string,
): string[] {
  if (!isKind(kind, actual)) return [`${path}: expected <${kind}>, got ${show(actual)}`];
  if (label === undefined) return [];

  const known = lookup(label, captures, vars);
  if (known === undefined) {
    captures[label] = actual;
    return [];
  }
  return sameValue(known, actual)
    ? []
    : [`${path}: <${kind}:${label}> was ${show(known)} before, now ${show(actual)}`];
}

function matchArray(
  expected: unknown[],
  actual: unknown,
  captures: Captures,
  vars: Vars,
  path: string,
): string[] {
  if (!Array.isArray(actual)) return [`${path}: expected an array, got ${show(actual)}`];
  if (actual.length !== expected.length) {
    return [`${path}: expected ${expected.length} items, got ${actual.length}`];
  }
  return expected.flatMap((item, i) =>
    matchValue(item, actual[i], captures, vars, `${path}[${i}]`),
  );
}

function matchObject(
  expected: Record<string, unknown>,
  actual: unknown,
  captures: Captures,
  vars: Vars,
  path: string,
): string[] {
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
    return [`${path}: expected an object, got ${show(actual)}`];
  }
  const record = actual as Record<string, unknown>;
  return Object.entries(expected).flatMap(([key, value]) =>
    key in record
      ? matchValue(value, record[key], captures, vars, `${path}.${key}`)
      : [`${path}.${key}: missing`],
  );
}

function materializeString(
  pattern: string,
  captures: Captures,
  vars: Vars,
  options: { now?: () => Date },
): unknown {
  const token = matcher.exec(pattern);
  if (token) {
    const [, kind, label] = token;
    const known = label === undefined ? undefined : lookup(label, captures, vars);
    if (known !== undefined) return known;
    const value = freshValue(kind!, label, options);
    if (label !== undefined) captures[label] = value;
    return value;
  }
  const whole = wholePlaceholder.exec(pattern);
  if (whole) return lookup(whole[1]!, captures, vars) ?? pattern;
  return pattern.replace(placeholder, (all, name: string) =>
    asText(lookup(name, captures, vars) ?? all),
  );
}

function freshValue(kind: string, label: string | undefined, options: { now?: () => Date }) {
  switch (kind) {
    case 'uuid':
      return randomUUID();
    case 'iso-time':
      return (options.now ?? (() => new Date()))().toISOString();
    case 'number':
      return 0;
    case 'integer':
      return 1;
    default:
      return label ?? 'any';
  }
}

function isKind(kind: string, value: unknown): boolean {
  switch (kind) {
    case 'uuid':
      return typeof value === 'string' && uuidText.test(value);
    case 'iso-time':
      return (
        typeof value === 'string' && isoTimeText.test(value) && !Number.isNaN(Date.parse(value))
      );
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return Number.isInteger(value);
    default:
      return value !== undefined;
  }
}

function lookup(name: string, captures: Captures, vars: Vars): unknown {
  return name in captures ? captures[name] : vars[name];
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function mismatch(path: string, expected: unknown, actual: unknown): string {
  return `${path}: expected ${show(expected)}, got ${show(actual)}`;
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
