/**
 * A random UUID v4 that makes a retried event idempotent on the server.
 * `crypto.randomUUID` exists only in secure contexts, so a page served over
 * plain HTTP on a lab network falls back to `getRandomValues`.
 *
 * @example
 * const id = newEventId(); // '3b241101-e2bb-4255-8caf-4136c566a962'
 */
export function newEventId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();

  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  const groups = [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20)];
  return [...groups, hex.slice(20)].join('-');
}
