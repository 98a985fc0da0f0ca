import type { ErrorObject } from 'ajv';
import Type from 'typebox';
import { describe, expect, it } from 'vitest';

import { ajv, firstIssue, issueFromAjv } from '../../src/validation/ajv.js';

function ajvError(overrides: Partial<ErrorObject>): ErrorObject {
  return { keyword: 'type', instancePath: '', schemaPath: '#', params: {}, ...overrides };
}

describe('issueFromAjv', () => {
  it('names a nested field with dots and indexes, under a prefix', () => {
    const issue = issueFromAjv(ajvError({ instancePath: '/data/items/2/a~1b' }), 'events');

    expect(issue.field).toBe('events.data.items[2].a/b');
  });

  it('names an unknown field inside a nested object', () => {
    const error = ajvError({
      keyword: 'additionalProperties',
      instancePath: '/data',
      params: { additionalProperty: 'extra' },
    });

    expect(issueFromAjv(error)).toEqual({
      field: 'data.extra',
      rule: 'unknown_field',
      message: 'is not a known field',
    });
  });

  it('names a missing field inside a nested object', () => {
    const error = ajvError({
      keyword: 'required',
      instancePath: '/meta',
      params: { missingProperty: 'id' },
    });

    expect(issueFromAjv(error)).toMatchObject({ field: 'meta.id', rule: 'required' });
  });

  it("falls back to ajv's words for a pattern with no description", () => {
    const error = ajvError({ keyword: 'pattern', message: 'must match pattern "^a$"' });

    expect(issueFromAjv(error)).toEqual({
      field: 'body',
      rule: 'pattern',
      message: 'must match pattern "^a$"',
    });
  });

  it('says "is not valid" when ajv gives no message', () => {
    expect(issueFromAjv(ajvError({ keyword: 'custom' })).message).toBe('is not valid');
  });
});

describe('firstIssue', () => {
  it('gives nothing for a valid value and the first issue for an invalid one', () => {
    const validate = ajv.compile(Type.Object({ n: Type.Integer() }));

    expect(firstIssue(validate, { n: 1 })).toBeUndefined();
    expect(firstIssue(validate, { n: 'x' })).toMatchObject({ field: 'n', rule: 'type' });
  });

  it('still answers when a validator fails without saying why', () => {
    const validate = Object.assign(() => false, { errors: null }) as never;

    expect(firstIssue(validate, {})).toEqual({
      field: 'body',
      rule: 'schema',
      message: 'is not valid',
    });
  });
});
