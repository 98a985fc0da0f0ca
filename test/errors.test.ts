import { describe, expect, it } from 'vitest';

import type { AppError } from '../src/errors.js';
import { fromDatabaseError, UnavailableError } from '../src/errors.js';

describe('fromDatabaseError', () => {
  it.each(['57P01', '57P02', '57P03', '08006', '08001'])('makes SQLSTATE %s a 503', (code) => {
    expect(fromDatabaseError({ code })).toBeInstanceOf(UnavailableError);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET'])('makes a socket %s a 503', (code) => {
    expect((fromDatabaseError(Object.assign(new Error('gone'), { code })) as AppError).status).toBe(
      503,
    );
  });

  it('makes a unique violation a 409 naming what exists', () => {
    const mapped = fromDatabaseError({ code: '23505', constraint: 'studies_pkey' }) as AppError;

    expect(mapped.status).toBe(409);
    expect(mapped.message).toMatch(/study id/);
  });

  it('leaves other errors as they are, to become a 500', () => {
    const error = { code: '42P01' };

    expect(fromDatabaseError(error)).toBe(error);
    expect(fromDatabaseError('text')).toBe('text');
  });
});

describe('fromDatabaseError, more cases', () => {
  it('makes a socket timeout a 503', () => {
    expect(fromDatabaseError({ code: 'ETIMEDOUT' })).toBeInstanceOf(UnavailableError);
  });

  it('makes a foreign-key violation a 409 in_use', () => {
    const mapped = fromDatabaseError({ code: '23503' }) as AppError;

    expect([mapped.status, mapped.code]).toEqual([409, 'in_use']);
  });

  it.each([
    ['api_keys_hash_key', /with that key exists/],
    ['some_other_key', /with that value exists/],
    [undefined, /with that value exists/],
  ])('names what exists for constraint %s', (constraint, message) => {
    const mapped = fromDatabaseError({ code: '23505', constraint }) as AppError;

    expect(mapped.message).toMatch(message);
  });

  it('leaves null alone', () => {
    expect(fromDatabaseError(null)).toBeNull();
  });
});
