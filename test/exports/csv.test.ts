import { describe, expect, it } from 'vitest';

import { csvCell, csvLine } from '../../src/exports/csv.js';

describe('CSV cells', () => {
  it.each([
    '=1+1',
    '+SUM(A1)',
    '-2+3',
    '@cmd',
    '\tx',
    '\rx',
    ' =1+1',
    '\u00a0=1+1',
    '\u200b=1+1',
    '\ufeff=1+1',
    '\uff1d1+1',
    '\u200e=1+1',
    '\u202e=1+1',
    '\u00ad=1+1',
    '\ufe66' + '1+1',
  ])('neutralise the formula %j', (text) => {
    expect(csvCell(text).replace(/^"/, '')).toMatch(/^'/);
  });

  it('leave numbers, including negative ones, as numbers', () => {
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(0.25)).toBe('0.25');
  });

  it('quote a semicolon or a tab, so a spreadsheet splitting on it keeps one cell', () => {
    expect(csvCell('x;=1+1;')).toBe('"x;=1+1;"');
    expect(csvCell('a\t=1+1')).toBe('"a\t=1+1"');
  });

  it('leave text that only contains a formula character alone', () => {
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('quote commas, quotes and line breaks', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
  });

  it('write a missing value as an empty cell, never 0', () => {
    expect(csvLine([1, null, undefined, 'x'])).toBe('1,,,x\r\n');
  });

  it('write JSON objects as quoted JSON text', () => {
    expect(csvCell({ a: 1, b: 'c' })).toBe('"{""a"":1,""b"":""c""}"');
  });
});
