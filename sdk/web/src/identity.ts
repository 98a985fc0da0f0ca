import { newEventId } from './event-id.js';

/**
 * A random id for one SDK instance (a page load, a process), naming its keys
 * in storage.
 *
 * @example
 * newInstanceId(); // '3b241101e2bb'
 */
export function newInstanceId(): string {
  return newEventId().replace(/-/g, '').slice(0, 12);
}

/**
 * A short, non-secret fingerprint (32-bit FNV-1a, hex) of a server and an API
 * key, so that queues are adopted only by instances that can send them. It
 * tells nothing useful about the key: 32 bits of a long random key.
 *
 * @example
 * fingerprint('https://webtics.example.org\nwt_ingest_…'); // '9f3a07c2'
 */
export function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * The owner of a queue: the fingerprint of the server URL (as configured)
 * and the API key. Stored with every queue; only an instance with the same
 * owner sends its events or adopts them. The key itself is never stored.
 *
 * @example
 * const owner = ownerOf('https://webtics.example.org', apiKey); // '9f3a07c2'
 */
export function ownerOf(url: string, apiKey: string): string {
  return fingerprint(`${url}\n${apiKey}`);
}
