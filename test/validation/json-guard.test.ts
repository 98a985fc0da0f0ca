import { describe, expect, it } from 'vitest';

import type { ValidationError } from '../../src/errors.js';
import { guardJsonBody, jsonDepth, maxBodyDepth } from '../../src/validation/json-guard.js';

function refusal(body: unknown) {
  try {
    guardJsonBody(body);
    return undefined;
  } catch (error) {
    return error as ValidationError;
  }
}

function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

describe('guardJsonBody', () => {
  it('passes ordinary JSON', () => {
    expect(refusal({ a: [1, 'two', { b: null }] })).toBeUndefined();
  });

  it('refuses a NUL character and names where it is', () => {
    expect(refusal({ data: { note: 'a\u0000b' } })?.details).toEqual({
      field: 'data.note',
      rule: 'no_nul',
    });
  });

  it('refuses a NUL character in a key', () => {
    expect(refusal({ data: { 'k\u0000': 1 } })?.details.rule).toBe('no_nul');
  });

  it('refuses an unpaired surrogate', () => {
    expect(refusal([{ s: 'ok' }, { s: '\ud800' }])?.details).toEqual({
      field: '[1].s',
      rule: 'well_formed_unicode',
    });
  });

  it('accepts a properly paired surrogate (an emoji)', () => {
    expect(refusal({ s: '\ud83d\ude00' })).toBeUndefined();
  });

  it('refuses nesting deeper than the limit without overflowing the stack', () => {
    expect(refusal(nested(maxBodyDepth))).toBeUndefined();
    expect(refusal(nested(maxBodyDepth + 1))?.details.rule).toBe('max_depth');
    expect(refusal(nested(100_000))?.details.rule).toBe('max_depth');
  });
});

describe('jsonDepth', () => {
  it('counts a scalar as 0 and each container as a level', () => {
    expect(jsonDepth(5)).toBe(0);
    expect(jsonDepth({})).toBe(1);
    expect(jsonDepth({ a: [{ b: 1 }] })).toBe(3);
  });
});

describe('guardJsonBody at the top level', () => {
  it.each([
    ['a NUL in a bare string', 'a\u0000b', 'no_nul'],
    ['an unpaired surrogate in a bare string', '\ud800', 'well_formed_unicode'],
    ['an infinite bare number', Infinity, 'finite_number'],
    ['an unsafe bare integer', 2 ** 53 + 2, 'safe_integer'],
  ])('refuses %s and names the body', (_name, value, rule) => {
    expect(() => guardJsonBody(value)).toThrow(
      expect.objectContaining({ details: { field: 'body', rule } }),
    );
  });

  it('passes null and booleans', () => {
    expect(() => guardJsonBody([null, true, false])).not.toThrow();
  });
});
