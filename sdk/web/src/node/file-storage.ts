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
  existsSync,
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
 * new one, never half of one. File names hold no capital letters but in
 * escapes (`Lab` is `%4Cab`), so keys that differ only in case stay apart on
 * file systems that ignore case; files named by older versions are renamed
 * when the storage opens.
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
    this.renameOldNames();
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

  // SDK versions before capital letters were encoded named `webtics:Lab` by
  // `webtics%3ALab.json`: such files take their new names once. A file the
  // new name already holds is newer, and the old one is left alone.
  private renameOldNames(): void {
    for (const name of readdirSync(this.directory)) {
      const key = decodeOldName(name);
      if (key === undefined || existsSync(this.pathOf(key))) continue;
      try {
        renameSync(join(this.directory, name), this.pathOf(key));
      } catch {
        // Renamed meanwhile by another process opening the same directory.
      }
    }
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
// outside the directory; `*` too, which Windows refuses; and capital letters,
// so that keys differing only in case (`Lab`, `lab`) stay two files where the
// file system ignores case (macOS, Windows). Escapes keep their capital hex
// digits, which no other name can hold in their places.
function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%[0-9A-F]{2}|[A-Z*]/g, (match) =>
    match.length === 3 ? match : `%${match.charCodeAt(0).toString(16).toUpperCase()}`,
  );
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

// The key an older version's file name encodes, when today's name differs.
function decodeOldName(name: string): string | undefined {
  if (!name.endsWith(fileSuffix)) return undefined;
  const encoded = name.slice(0, -fileSuffix.length);
  try {
    const key = decodeURIComponent(encoded);
    const old = encodeURIComponent(key).replace(/\*/g, '%2A');
    return old === encoded && /[A-Z]/.test(key) ? key : undefined;
  } catch {
    return undefined;
  }
}
