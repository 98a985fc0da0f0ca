/**
 * Where the SDK keeps unsent events and session state: strings by key,
 * read and written synchronously, so that an event is stored before `log()`
 * returns. `localStorage` fits as it is.
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
