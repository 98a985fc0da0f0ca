// What log() refuses at once: values the server would refuse for the whole
// batch they travel in (docs/validation.md, "Whole requests"), values JSON
// would silently turn into null, and data over the limits of an event.

import type { LogFields } from './event-types.js';

/**
 * The most bytes an event's `data` may take as UTF-8 JSON.
 *
 * @example
 * if (new TextEncoder().encode(JSON.stringify(data)).length > maxDataBytes) shorten(data);
 */
export const maxDataBytes = 10_240;

/**
 * The deepest an event's `data` may nest: 1 for a flat object.
 *
 * @example
 * const flat = { trial: 3 }; // depth 1 of at most maxDataDepth
 */
export const maxDataDepth = 32;

const numericFields = ['subtype', 'x', 'y', 'z', 'magnitude', 'monotonicAt'] as const;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Checks the fields of an event before it is stamped, so that a refused event
 * uses no sequence number, and answers `data` as a copy of what will be sent
 * (a later change to the caller's object does not reach the queue). Throws a
 * TypeError naming the field: for a number that is not finite or an integer
 * beyond ±(2⁵³ − 1) anywhere; in `data`, for a NUL character or an unpaired
 * surrogate in a string or key, a `__proto__` or `constructor.prototype` key,
 * nesting deeper than {@link maxDataDepth}, more than {@link maxDataBytes}
 * bytes of JSON, or a value JSON cannot hold (a BigInt, a cycle, a `toJSON()`
 * that gives undefined).
 *
 * @example
 * const data = checkFields({ magnitude: 412.5, data: { trial: 3 } }); // { trial: 3 }
 * checkFields({ data: { note: 'a\u0000b' } }); // throws TypeError: data.note …
 */
export function checkFields(fields: LogFields): LogFields['data'] {
  for (const name of numericFields) {
    const value: unknown = fields[name];
    if (typeof value === 'number') checkNumber(value, name);
  }
  if (fields.at instanceof Date && Number.isNaN(fields.at.getTime())) refuse('at', 'is no date');
  if (fields.data === undefined || fields.data === null) return fields.data;
  return checkData(fields.data);
}

function checkData(data: NonNullable<LogFields['data']>): NonNullable<LogFields['data']> {
  // JSON.stringify walks the data exactly as it will be sent (toJSON applied,
  // undefined left out); the replacer sees every key and value on the way.
  const depths = new Map<unknown, number>();
  const paths = new Map<unknown, string>();
  const visit = (holder: unknown, key: string, value: unknown): void => {
    const root = !paths.has(holder);
    const parent = paths.get(holder) ?? 'data';
    const path = root ? parent : Array.isArray(holder) ? `${parent}[${key}]` : `${parent}.${key}`;
    if (!root && !Array.isArray(holder)) checkKey(key, value, parent);
    if (typeof value === 'string') checkString(value, path);
    else if (typeof value === 'number') checkNumber(value, path);
    else if (typeof value === 'bigint') refuse(path, 'is a BigInt, which JSON cannot hold');
    else if (typeof value === 'object' && value !== null) {
      const depth = (depths.get(holder) ?? 0) + 1;
      if (depth > maxDataDepth) refuse('data', `nests deeper than ${maxDataDepth} levels`);
      depths.set(value, depth);
      paths.set(value, path);
    }
  };
  function inspect(this: unknown, key: string, value: unknown): unknown {
    visit(this, key, value);
    return value;
  }

  let json: string | undefined;
  try {
    json = JSON.stringify(data, inspect);
  } catch (error) {
    if (error instanceof TypeError && error.message.startsWith('WebTics:')) throw error;
    throw new TypeError(`WebTics: data cannot be sent as JSON (${String(error)})`, {
      cause: error,
    });
  }
  // A toJSON() that answers undefined leaves nothing to send.
  if (json === undefined) refuse('data', 'becomes nothing as JSON (toJSON() gave undefined)');
  const bytes = new TextEncoder().encode(json).length;
  if (bytes > maxDataBytes)
    refuse('data', `takes ${bytes} bytes as JSON, more than ${maxDataBytes}`);
  return JSON.parse(json) as NonNullable<LogFields['data']>;
}

function checkKey(key: string, value: unknown, parent: string): void {
  const where = `a key in ${parent}`;
  checkString(key, where);
  if (key === '__proto__') refuse(where, 'is __proto__, which the server refuses');
  const holdsPrototype =
    typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype');
  if (key === 'constructor' && holdsPrototype) {
    refuse(`${parent}.constructor`, 'has a prototype key, which the server refuses');
  }
}

function checkString(value: string, path: string): void {
  if (value.includes('\u0000')) refuse(path, 'holds a NUL character');
  if (loneSurrogate.test(value)) refuse(path, 'holds an unpaired surrogate (broken UTF-16)');
}

function checkNumber(value: number, path: string): void {
  if (!Number.isFinite(value)) refuse(path, `is ${value}, which JSON cannot hold`);
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    refuse(path, 'is an integer beyond ±(2^53 − 1), which cannot be kept exactly; send a string');
  }
}

function refuse(path: string, problem: string): never {
  throw new TypeError(`WebTics: ${path} ${problem}; the event was not logged`);
}
