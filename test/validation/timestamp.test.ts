import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { parseTimestamp } from '../../src/validation/timestamp.js';

const now = Date.UTC(2026, 5, 15, 12, 0, 0);

function rule(text: string): string | undefined {
  const result = parseTimestamp(text, now);
  return result.ok ? undefined : result.rule;
}

describe('parseTimestamp', () => {
  it('reads UTC and offset times to the same instant', () => {
    const utc = parseTimestamp('2026-06-15T10:00:00Z', now);
    const offset = parseTimestamp('2026-06-15T12:00:00+02:00', now);

    expect(utc.ok && utc.time.toISOString()).toBe('2026-06-15T10:00:00.000Z');
    expect(offset.ok && offset.time.toISOString()).toBe('2026-06-15T10:00:00.000Z');
  });

  it('keeps milliseconds and drops finer digits without rounding', () => {
    const result = parseTimestamp('2026-06-15T10:00:00.123999Z', now);

    expect(result.ok && result.time.toISOString()).toBe('2026-06-15T10:00:00.123Z');
  });

  it('rejects a time without a zone', () => {
    expect(rule('2026-06-15T10:00:00')).toBe('iso8601');
    expect(rule('2026-06-15T10:00:00.000')).toBe('iso8601');
  });

  it.each(['yesterday', '', '2026-06-15', '2026-06-15 10:00:00Z', '１２', '2026-6-1T1:0:0Z'])(
    'rejects %j as not ISO 8601',
    (text) => {
      expect(rule(text)).toBe('iso8601');
    },
  );

  it('rejects impossible dates', () => {
    expect(rule('2026-02-30T00:00:00Z')).toBe('real_date');
    expect(rule('2025-02-29T00:00:00Z')).toBe('real_date');
    expect(rule('2026-13-01T00:00:00Z')).toBe('real_date');
    expect(rule('2026-00-10T00:00:00Z')).toBe('real_date');
  });

  it('accepts 29 February in a leap year', () => {
    expect(rule('2024-02-29T00:00:00Z')).toBeUndefined();
  });

  it('rejects second 60 and hour 24', () => {
    expect(rule('2026-06-15T10:00:60Z')).toBe('real_time');
    expect(rule('2026-06-15T24:00:00Z')).toBe('real_time');
  });

  it('rejects a zone offset beyond a day', () => {
    expect(rule('2026-06-15T10:00:00+24:00')).toBe('zone');
  });

  it('rejects anything before 2000', () => {
    expect(rule('1999-12-31T23:59:59.999Z')).toBe('not_before_2000');
    expect(rule('2000-01-01T00:00:00Z')).toBeUndefined();
  });

  it('allows five minutes of clock skew ahead of the server, not more', () => {
    expect(rule(new Date(now + 5 * 60_000).toISOString())).toBeUndefined();
    expect(rule(new Date(now + 5 * 60_000 + 1).toISOString())).toBe('not_in_future');
  });

  it('reads back every valid instant it is given in toISOString form', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2000, 0, 1), max: now }), (ms) => {
        const result = parseTimestamp(new Date(ms).toISOString(), now);
        expect(result.ok && result.time.getTime()).toBe(ms);
      }),
    );
  });
});
