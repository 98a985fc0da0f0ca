import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import type { Role } from '../db/schema.js';

export const roles: readonly Role[] = ['ingest', 'researcher', 'admin'];

/** 32 random bytes: 256 bits of secret in every key. */
const secretBytes = 32;

export interface NewKeySecret {
  key: string;
  prefix: string;
  hash: Buffer;
}

/**
 * Makes a fresh key such as `wt_ingest_3q2…`. The role in the text is only a
 * hint for people reading logs of their own configuration; the stored role decides.
 */
export function generateApiKey(role: Role): NewKeySecret {
  const secret = randomBytes(secretBytes).toString('base64url');
  const key = `wt_${role}_${secret}`;
  return { key, prefix: key.slice(0, key.length - secret.length + 8), hash: hashApiKey(key) };
}

/** Keys carry 256 random bits, so a plain SHA-256 cannot be reversed or guessed. */
export function hashApiKey(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Cheap shape check before any database work; a key is at most a few dozen ASCII characters. */
export function looksLikeApiKey(value: string): boolean {
  return /^wt_(ingest|researcher|admin)_[A-Za-z0-9_-]{43}$/.test(value);
}
