import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

import { ValidationError } from '../errors.js';

/**
 * One validator for every JSON body. It never coerces (a "102" where a number
 * is required stays wrong), never drops unknown fields (they are errors), and
 * never fills defaults: what the client sent is what is checked and stored.
 */
export const ajv = new Ajv({
  coerceTypes: false,
  removeAdditional: false,
  useDefaults: false,
  allErrors: false,
  strict: true,
  strictTypes: false,
  allowUnionTypes: true,
  // Keeps the failing schema on each error, so a pattern failure can be told
  // in words (its description) instead of as a regular expression.
  verbose: true,
});
addFormats.default(ajv, ['uuid', 'date-time', 'date', 'email', 'uri']);
ajv.addKeyword('modifier').addKeyword('kind');

export interface Issue {
  field: string;
  rule: string;
  message: string;
}

function joinPath(prefix: string, pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path = parts.reduce(
    (acc, part) => (/^\d+$/.test(part) ? `${acc}[${part}]` : acc ? `${acc}.${part}` : part),
    prefix,
  );
  return path === '' ? 'body' : path;
}

/** Turns one ajv error into the field, rule and sentence that a client sees. */
export function issueFromAjv(error: ErrorObject, prefix = ''): Issue {
  const base = joinPath(prefix, error.instancePath);
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'additionalProperties') {
    const field = joinPath(base === 'body' ? '' : base, `/${String(params.additionalProperty)}`);
    return { field, rule: 'unknown_field', message: 'is not a known field' };
  }
  if (error.keyword === 'required') {
    const field = joinPath(base === 'body' ? '' : base, `/${String(params.missingProperty)}`);
    return { field, rule: 'required', message: 'is required' };
  }
  const description = (error.parentSchema as { description?: unknown } | undefined)?.description;
  if (error.keyword === 'pattern' && typeof description === 'string') {
    return { field: base, rule: 'pattern', message: `must be ${description}` };
  }
  return { field: base, rule: error.keyword, message: error.message ?? 'is not valid' };
}

export function toValidationError(issue: Issue): ValidationError {
  return new ValidationError(issue.field, issue.rule, issue.message);
}

/** Checks a value against a compiled schema; returns the first issue, if any. */
export function firstIssue(validate: ValidateFunction, value: unknown): Issue | undefined {
  if (validate(value)) return undefined;
  const error = validate.errors?.[0];
  return error === undefined
    ? { field: 'body', rule: 'schema', message: 'is not valid' }
    : issueFromAjv(error);
}
