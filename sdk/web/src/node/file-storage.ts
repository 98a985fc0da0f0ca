/**
 * The Node half of the web SDK: a {@link QueueStorage} in files, so that
 * unsent events survive a restart or crash of the process. Import it from
 * `@webtics/sdk/node`; the browser entry never loads `node:fs`.
 *
 * @example
 * import { WebTics } from '@webtics/sdk';
 * import { FileStorage } from '@webtics/sdk/node';
 *
 * const client = new WebTics({ url, apiKey, buildNumber, storage: new FileStorage('.webtics'), instanceId: 'bot-1' });
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

import type { QueueStorage } from '../queue-storage.js';

/**
 * How a {@link FileStorage} writes.
 *
 * @example
 * const fast = new FileStorage('.webtics', { durable: false });
 */
export interface FileStorageOptions {
  /**
   * Flush each file to disk (fsync) before it replaces the old one, so that a
   * power cut cannot leave it empty. Costs a disk sync per logged event.
   * Default true.
   */
  durable?: boolean;
}

const fileSuffix = '.json';
const tempSuffix = '.tmp';
/** A temporary file older than this was left by a crash, not by a write in progress. */
const leftoverAgeMs = 60_000;

/**
 * Keeps each key in its own file in `directory` (created if missing, readable
 * by the owner only). A write goes to a temporary file first, which then
 * replaces the old file in one rename: a crash leaves the old value or the
 * new one, never half of one.
 *
 * @example
 * const storage = new FileStorage('/var/lib/my-game/webtics');
 * storage.setItem('webtics:instances', '[]');
 */
export class FileStorage implements QueueStorage {
  private readonly durable: boolean;

  constructor(
    readonly directory: string,
    options: FileStorageOptions = {},
  ) {
    this.durable = options.durable ?? true;
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    this.removeLeftovers();
  }

  /**
   * The file's text, or null when there is no file.
   *
   * @example
   * storage.getItem('webtics:instances'); // '["3b241101e2bb"]'
   */
  getItem(key: string): string | null {
    try {
      return readFileSync(this.pathOf(key), 'utf8');
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return null;
      throw error;
    }
  }

  /**
   * Replaces the file's text atomically.
   *
   * @example
   * storage.setItem('webtics:instances', '[]');
   */
  setItem(key: string, value: string): void {
    const target = this.pathOf(key);
    const temp = `${target}.${randomBytes(6).toString('hex')}${tempSuffix}`;
    try {
      this.writeFile(temp, value);
      renameSync(temp, target);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  }

  /**
   * Deletes the file, if there is one.
   *
   * @example
   * storage.removeItem('webtics:instances');
   */
  removeItem(key: string): void {
    rmSync(this.pathOf(key), { force: true });
  }

  /**
   * Every key with a file in the directory, decoded from the file names;
   * temporary files and names this storage did not write are left out.
   *
   * @example
   * storage.keys(); // ['webtics:instances', 'webtics:bot-1', 'webtics:bot-1:0']
   */
  keys(): string[] {
    return readdirSync(this.directory).flatMap((name) => {
      if (!name.endsWith(fileSuffix)) return [];
      const key = decodeKey(name.slice(0, -fileSuffix.length));
      return key === undefined ? [] : [key];
    });
  }

  private writeFile(path: string, value: string): void {
    const file = openSync(path, 'w', 0o600);
    try {
      writeFileSync(file, value, 'utf8');
      if (this.durable) fsyncSync(file);
    } finally {
      closeSync(file);
    }
  }

  private pathOf(key: string): string {
    return join(this.directory, `${encodeKey(key)}${fileSuffix}`);
  }

  // Another process may share the directory and be writing right now, so only
  // temporary files old enough to be a crash's leftovers are removed.
  private removeLeftovers(): void {
    const now = Date.now();
    for (const name of readdirSync(this.directory)) {
      if (!name.endsWith(tempSuffix)) continue;
      const path = join(this.directory, name);
      try {
        if (now - statSync(path).mtimeMs > leftoverAgeMs) rmSync(path, { force: true });
      } catch {
        // Gone already, or renamed by its writer: nothing to clean.
      }
    }
  }
}

// Keys become file names: percent-encoded, so no key can name a path
// outside the directory, and `*` too, which Windows refuses.
function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/\*/g, '%2A');
}

// The key a file name encodes, or undefined for a name that no key encodes
// to: a file someone else put there.
function decodeKey(name: string): string | undefined {
  try {
    const key = decodeURIComponent(name);
    return encodeKey(key) === name ? key : undefined;
  } catch {
    return undefined;
  }
}
