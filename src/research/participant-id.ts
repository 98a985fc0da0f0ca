import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';

/** A pseudonym with 60 random bits, `p-` and 12 symbols; it says nothing about the person. */
export function generateParticipantId(): string {
  return `p-${[...randomBytes(12)].map((byte) => alphabet[byte % 32]).join('')}`;
}
