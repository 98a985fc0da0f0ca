import type { Role } from '../db/schema.js';
import { ForbiddenError } from '../errors.js';

/** Who is calling: the key that authenticated the request. */
export interface Principal {
  keyId: number;
  role: Role;
  /** The study the key is bound to; null for admin keys, which reach every study. */
  studyId: string | null;
}

/** A key for one study can never touch another study. */
export function assertStudyAccess(principal: Principal, studyId: string): void {
  if (principal.role === 'admin' || principal.studyId === studyId) return;
  throw new ForbiddenError("this key may not access another study's data");
}

/** How the audit trail names the caller: by key id, never by the key. */
export function auditActor(principal: Principal): { actor: string; keyId: number | null } {
  // Key 0 is the operator's WEBTICS_API_KEY, which lives in the environment, not the key table.
  if (principal.keyId === 0) return { actor: 'env:WEBTICS_API_KEY', keyId: null };
  return { actor: `key:${principal.keyId}`, keyId: principal.keyId };
}
