import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import {
  checkWithdrawalCode,
  codeLookup,
  generateWithdrawalCode,
} from '../../src/research/withdrawal-code.js';

describe('withdrawal codes', () => {
  it('look like seven groups of four easy-to-read symbols', () => {
    expect(generateWithdrawalCode()).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it('are never the same twice in a thousand', () => {
    const codes = new Set(Array.from({ length: 1000 }, generateWithdrawalCode));

    expect(codes.size).toBe(1000);
  });

  it('read back however they are typed: case, spaces, no dashes, O for 0, I and L for 1', () => {
    const code = generateWithdrawalCode();
    const sloppy = code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');

    expect(checkWithdrawalCode(sloppy)).toEqual(checkWithdrawalCode(code));
    expect(checkWithdrawalCode(code).ok).toBe(true);
  });

  it('tell a mistyped code apart from a malformed one', () => {
    const code = generateWithdrawalCode();
    const swapped = code[0] === 'A' ? `B${code.slice(1)}` : `A${code.slice(1)}`;

    expect(checkWithdrawalCode(swapped)).toMatchObject({ ok: false, rule: 'mistyped' });
    expect(checkWithdrawalCode('too-short')).toMatchObject({ ok: false, rule: 'malformed' });
    expect(checkWithdrawalCode(`${code}X`)).toMatchObject({ ok: false, rule: 'malformed' });
    expect(checkWithdrawalCode(code.replace(/^./, 'U'))).toMatchObject({ rule: 'malformed' });
  });

  it('catch almost every single-symbol typo', () => {
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    let caught = 0;
    let tried = 0;
    fc.assert(
      fc.property(fc.nat(27), fc.nat(31), (position, symbol) => {
        const compact = generateWithdrawalCode().replace(/-/g, '');
        if (compact[position] === alphabet[symbol]) return;
        tried += 1;
        const typo = compact.slice(0, position) + alphabet[symbol] + compact.slice(position + 1);
        if (!checkWithdrawalCode(typo).ok) caught += 1;
      }),
      { numRuns: 500 },
    );

    expect(caught / tried).toBeGreaterThan(0.99);
  });

  it('are looked up by a keyed hash that depends on the server secret', () => {
    const check = checkWithdrawalCode(generateWithdrawalCode());
    if (!check.ok) throw new Error('fresh code did not check');

    expect(codeLookup('one', check.secret).equals(codeLookup('one', check.secret))).toBe(true);
    expect(codeLookup('one', check.secret).equals(codeLookup('two', check.secret))).toBe(false);
  });
});
