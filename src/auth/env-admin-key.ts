import { ConfigError } from '../config/config.js';
import { isPlaceholder } from '../config/production-check.js';
import { hashApiKey, hashesEqual, looksLikeApiKey } from './api-key.js';
import type { Principal } from './principal.js';

/**
 * The key id that names WEBTICS_API_KEY in logs; keys in the database count
 * from 1. The key itself has no row: it cannot be listed, revoked or expired
 * through the API, only replaced in the environment.
 */
export const envAdminKeyId = 0;

export interface EnvAdminKey {
  /** The principal when `key` is the operator's key, checked in constant time. */
  principalFor(key: string): Principal | undefined;
}

/**
 * An admin key given by the operator in WEBTICS_API_KEY, for setting up a
 * deployment before any key exists in the database. Only its SHA-256 is kept.
 * A placeholder from .env.example means "no key" (production refuses it
 * before this point); any other value must have the shape of an admin key.
 */
export function envAdminKey(value: string | undefined): EnvAdminKey | undefined {
  if (value === undefined || isPlaceholder(value)) return undefined;
  if (!looksLikeApiKey(value) || !value.startsWith('wt_admin_')) {
    throw new ConfigError(
      'WEBTICS_API_KEY',
      'must be wt_admin_ followed by 43 letters, digits, _ or - (webtics secrets writes one)',
    );
  }

  const hash = hashApiKey(value);
  const principal: Principal = { keyId: envAdminKeyId, role: 'admin', studyId: null };
  return {
    principalFor: (key) => (hashesEqual(hashApiKey(key), hash) ? { ...principal } : undefined),
  };
}
