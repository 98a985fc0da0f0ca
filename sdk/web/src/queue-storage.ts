/**
 * Where the SDK keeps unsent events and session state: strings by key,
 * read and written synchronously, so that an event is stored before `log()`
 * returns. `localStorage` fits as it is (its keys are listed through
 * `length` and `key(i)`).
 *
 * @example
 * const storage: QueueStorage = window.localStorage;
 * const client = new WebTics({ url, apiKey, buildNumber, storage });
 */
export interface QueueStorage {
  /** The value stored under `key`, or null. */
  getItem(key: string): string | null;
  /** Stores `value` under `key`; may throw when the storage is full. */
  setItem(key: string, value: string): void;
  /** Forgets `key`; does nothing when it is not there. */
  removeItem(key: string): void;
  /**
   * Every key stored, in any order. Optional: it lets an instance find the
   * queue of a crashed one whose entry in the index was lost (two instances
   * that started together wrote the index at once). Without it, and without
   * `length` and `key(i)`, queues are found through the index alone.
   */
  keys?(): string[];
}

/**
 * The keys of a storage: by its `keys()`, or by `length` and `key(i)` as
 * `localStorage` has them; undefined when it has neither.
 *
 * @example
 * const keys = storageKeys(localStorage) ?? [];
 */
export function storageKeys(storage: QueueStorage): string[] | undefined {
  if (typeof storage.keys === 'function') return storage.keys();
  const web = storage as Partial<WebStorageKeys>;
  if (typeof web.key !== 'function' || typeof web.length !== 'number') return undefined;

  const keys: string[] = [];
  for (let i = 0; i < web.length; i++) {
    const key = web.key(i);
    if (key !== null) keys.push(key);
  }
  return keys;
}

// How the Web Storage API (localStorage, sessionStorage) lists its keys.
interface WebStorageKeys {
  readonly length: number;
  key(index: number): string | null;
}

/**
 * Keeps everything in memory: nothing outlives the page or process. The
 * fallback where no persistent storage exists.
 *
 * @example
 * const client = new WebTics({ url, apiKey, buildNumber, storage: new MemoryStorage() });
 */
export class MemoryStorage implements QueueStorage {
  private readonly items = new Map<string, string>();

  /** @example storage.getItem('webtics:instances'); */
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }

  /** @example storage.setItem('webtics:instances', '[]'); */
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }

  /** @example storage.removeItem('webtics:instances'); */
  removeItem(key: string): void {
    this.items.delete(key);
  }

  /** @example storage.keys(); // ['webtics:instances', 'webtics:k3x9a0b1c2d3'] */
  keys(): string[] {
    return [...this.items.keys()];
  }
}

/**
 * The browser's `localStorage` when it exists and takes writes (it may be
 * disabled, or throw in some private modes), else a {@link MemoryStorage}.
 *
 * @example
 * const { storage, persistent } = defaultStorage();
 * if (!persistent) console.warn('unsent events will not survive a reload');
 */
export function defaultStorage(): { storage: QueueStorage; persistent: boolean } {
  const probe = 'webtics:probe';
  try {
    const local = (globalThis as { localStorage?: QueueStorage }).localStorage;
    if (local) {
      local.setItem(probe, '1');
      local.removeItem(probe);
      return { storage: local, persistent: true };
    }
  } catch {
    // Reading the property or writing may throw; memory it is.
  }
  return { storage: new MemoryStorage(), persistent: false };
}
