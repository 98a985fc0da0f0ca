import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { checkEvent } from '../../src/validation/event.js';
import { makeEvent } from '../helpers/factories.js';

function issue(raw: unknown) {
  const result = checkEvent(raw);
  return result.ok ? undefined : result.issue;
}

describe('checkEvent', () => {
  it('accepts a correct response with its reaction time', () => {
    const result = checkEvent(makeEvent({ data: { trial: 3 }, x: -5, y: 10000 }));

    expect(result.ok).toBe(true);
  });

  it('keeps an absent magnitude as null, never 0', () => {
    const result = checkEvent(makeEvent({ event_type: 1, magnitude: undefined }));

    expect(result.ok && result.event.magnitude).toBeNull();
  });

  it.each([
    ['a string', '102'],
    ['a boolean', true],
    ['null', null],
    ['a fraction', 102.5],
    ['a negative number', -1],
    ['a number above 999', 1000],
  ])('rejects %s as event_type', (_name, value) => {
    expect(issue(makeEvent({ event_type: value }))?.field).toBe('event_type');
  });

  it('rejects a reaction time above 10 s', () => {
    expect(issue(makeEvent({ magnitude: 10_000.5 }))).toMatchObject({
      field: 'magnitude',
      rule: 'range',
    });
  });

  it('rejects a negative reaction time', () => {
    expect(issue(makeEvent({ event_type: 103, magnitude: -1 }))?.rule).toBe('range');
  });

  it('requires a magnitude for reaction-time and score types', () => {
    for (const type of [102, 103, 104, 105]) {
      expect(issue(makeEvent({ event_type: type, magnitude: undefined }))).toMatchObject({
        field: 'magnitude',
        rule: 'required',
      });
      expect(issue(makeEvent({ event_type: type, magnitude: null }))?.rule).toBe('required');
    }
  });

  it('rejects a score above 100 percent', () => {
    expect(issue(makeEvent({ event_type: 104, magnitude: 100.1 }))?.rule).toBe('range');
    expect(issue(makeEvent({ event_type: 105, magnitude: 100 }))).toBeUndefined();
  });

  it('leaves the magnitude of other types unchecked', () => {
    expect(issue(makeEvent({ event_type: 7, magnitude: 123_456 }))).toBeUndefined();
  });

  it('rejects a string magnitude instead of converting it', () => {
    expect(issue(makeEvent({ magnitude: '250' }))).toMatchObject({
      field: 'magnitude',
      rule: 'type',
    });
  });

  it('rejects coordinates outside ±10000', () => {
    expect(issue(makeEvent({ x: 10_000.01 }))?.field).toBe('x');
    expect(issue(makeEvent({ y: -10_001 }))?.field).toBe('y');
    expect(issue(makeEvent({ z: '1' }))?.field).toBe('z');
  });

  it('rejects unknown fields by name', () => {
    expect(issue(makeEvent({ sneaky: 1 }))).toMatchObject({
      field: 'sneaky',
      rule: 'unknown_field',
    });
  });

  it('requires a timestamp', () => {
    expect(issue(makeEvent({ timestamp: undefined }))).toMatchObject({
      field: 'timestamp',
      rule: 'required',
    });
  });

  it('rejects a naive timestamp', () => {
    expect(issue(makeEvent({ timestamp: '2026-01-01T10:00:00' }))?.field).toBe('timestamp');
  });

  it('rejects data that is not an object', () => {
    expect(issue(makeEvent({ data: [1, 2] }))?.field).toBe('data');
    expect(issue(makeEvent({ data: 'text' }))?.field).toBe('data');
  });

  it('accepts data of exactly 10 240 bytes and rejects one byte more', () => {
    const filler = (length: number) => ({ s: 'a'.repeat(length - '{"s":""}'.length) });

    expect(issue(makeEvent({ data: filler(10_240) }))).toBeUndefined();
    expect(issue(makeEvent({ data: filler(10_241) }))).toMatchObject({
      field: 'data',
      rule: 'max_bytes',
    });
  });

  it('counts data size in UTF-8 bytes, not characters', () => {
    const data = { s: 'é'.repeat(5_200) };

    expect(issue(makeEvent({ data }))?.rule).toBe('max_bytes');
  });

  it('accepts data nested 32 levels and rejects 33', () => {
    const nest = (levels: number): Record<string, unknown> =>
      levels === 1 ? {} : { a: nest(levels - 1) };

    expect(issue(makeEvent({ data: nest(32) }))).toBeUndefined();
    expect(issue(makeEvent({ data: nest(33) }))).toMatchObject({
      field: 'data',
      rule: 'max_depth',
    });
  });

  it('rejects a client_event_id that is not a UUID', () => {
    expect(issue(makeEvent({ client_event_id: 'abc' }))?.field).toBe('client_event_id');
  });

  it('rejects a body that is not an object', () => {
    expect(issue([makeEvent()])?.field).toBe('body');
    expect(issue(null)?.field).toBe('body');
  });

  it('never throws, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(() => checkEvent(value)).not.toThrow();
      }),
    );
  });

  it('accepts every in-range coordinate and rejects every out-of-range one', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(checkEvent(makeEvent({ x })).ok).toBe(Math.abs(x) <= 10_000);
      }),
    );
  });
});
