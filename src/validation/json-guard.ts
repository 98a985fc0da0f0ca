import { ValidationError } from '../errors.js';

/** Deepest nesting a request body may have; event data has its own, lower limit. */
export const maxBodyDepth = 64;

const nul = '\u0000';

function pathOf(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  return parent === '' ? key : `${parent}.${key}`;
}

function checkString(value: string, path: string): void {
  if (value.includes(nul)) {
    throw new ValidationError(path || 'body', 'no_nul', 'must not contain NUL characters');
  }
  if (!value.isWellFormed()) {
    throw new ValidationError(
      path || 'body',
      'well_formed_unicode',
      'contains an unpaired surrogate',
    );
  }
}

/**
 * JSON numbers that JavaScript cannot hold exactly would be stored changed:
 * 1e400 becomes infinity (and then null), 12345678901234567890 loses digits.
 */
function checkNumber(value: number, path: string): void {
  if (!Number.isFinite(value)) {
    throw new ValidationError(path || 'body', 'finite_number', 'is too large to be a number');
  }
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
    throw new ValidationError(
      path || 'body',
      'safe_integer',
      'is an integer beyond ±2^53 that cannot be kept exactly; send it as a string',
    );
  }
}

/**
 * Walks a parsed JSON body once, without recursion, and refuses what
 * PostgreSQL or a careful reader cannot take: NUL characters and unpaired
 * surrogates in any key or string, numbers that cannot be kept exactly, and
 * nesting deeper than `maxBodyDepth`.
 */
export function guardJsonBody(body: unknown): void {
  const stack: { value: unknown; path: string; depth: number }[] = [
    { value: body, path: '', depth: 0 },
  ];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      checkString(value, path);
      continue;
    }
    if (typeof value === 'number') {
      checkNumber(value, path);
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxBodyDepth) {
      throw new ValidationError(
        path || 'body',
        'max_depth',
        `must not nest deeper than ${maxBodyDepth} levels`,
      );
    }
    const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof key === 'string') checkString(key, path);
      stack.push({ value: child, path: pathOf(path, key), depth: depth + 1 });
    }
  }
}

/** Nesting depth of a JSON value: 0 for a scalar, 1 for a flat object or array. */
export function jsonDepth(value: unknown): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (typeof item.value !== 'object' || item.value === null) continue;
    deepest = Math.max(deepest, item.depth + 1);
    for (const child of Object.values(item.value))
      stack.push({ value: child, depth: item.depth + 1 });
  }
  return deepest;
}
