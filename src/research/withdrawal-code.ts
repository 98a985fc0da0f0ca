import { createHash, createHmac, randomBytes } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so a code read aloud is not misheard. */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 26 symbols of 5 bits: 130 bits of secret. */
const secretSymbols = 26;
const checkSymbols = 2;
const codeSymbols = secretSymbols + checkSymbols;

function randomSymbols(count: number): string {
  // 5 bits per symbol from one random byte each: 256 is a multiple of 32, so no bias.
  return [...randomBytes(count)].map((byte) => alphabet[byte % 32]).join('');
}

/** Two symbols (10 bits) of a SHA-256 of the secret part: catches nearly every typo. */
function checksum(secret: string): string {
  const digest = createHash('sha256').update(secret, 'ascii').digest();
  const bits = (digest[0]! << 2) | (digest[1]! >> 6);
  return alphabet[bits >> 5]! + alphabet[bits & 31]!;
}

/** Groups of four, for reading aloud and typing: `7KQ2-M9XD-…`. */
function format(symbols: string): string {
  return symbols.match(/.{1,4}/g)!.join('-');
}

/** A fresh withdrawal code, shown once to the participant and never stored. */
export function generateWithdrawalCode(): string {
  const secret = randomSymbols(secretSymbols);
  return format(secret + checksum(secret));
}

export type CodeCheck =
  { ok: true; secret: string } | { ok: false; rule: 'malformed' | 'mistyped'; message: string };

/**
 * Reads a code as a person might type it: any case, with or without spaces
 * and dashes, O for 0 and I or L for 1. A code of the right shape whose check
 * symbols do not match is mistyped, told apart from an unknown one.
 */
export function checkWithdrawalCode(input: string): CodeCheck {
  const symbols = input
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
  if (symbols.length !== codeSymbols || [...symbols].some((char) => !alphabet.includes(char))) {
    return {
      ok: false,
      rule: 'malformed',
      message: `must be ${codeSymbols} letters and digits, as on the consent receipt`,
    };
  }
  const secret = symbols.slice(0, secretSymbols);
  if (checksum(secret) !== symbols.slice(secretSymbols)) {
    return {
      ok: false,
      rule: 'mistyped',
      message: 'has a typing mistake: check it letter by letter',
    };
  }
  return { ok: true, secret };
}

/**
 * The only form in which a code is kept: a keyed hash, so the table alone
 * cannot be searched for codes, and one indexed lookup finds the consent.
 */
export function codeLookup(serverSecret: string, secret: string): Buffer {
  return createHmac('sha256', serverSecret).update(secret, 'ascii').digest();
}
