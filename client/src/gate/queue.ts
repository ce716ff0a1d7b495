// The scans waiting to be uploaded, kept on the phone (IndexedDB through idb-keyval) so that a gate
// without connectivity, or a page closed and opened again, loses none. Each scan is stored under its
// idempotency key, chosen when it was scanned: an upload that is answered, lost or repeated names
// the same scans, and the server stores each once.
import { createStore, delMany, entries, set, type UseStore } from 'idb-keyval';

export interface QueuedScan {
  /** The gate (Relay global id) it was scanned at. */
  gateId: string;
  idempotencyKey: string;
  code: string;
  direction: 'IN' | 'OUT';
  temperature: number | null;
  scannedAt: string;
  deviceVerdict: string;
}

/** Where queued scans live; IndexedDB in the browser, a Map in unit tests. */
export interface ScanStore {
  put(scan: QueuedScan): Promise<void>;
  all(): Promise<QueuedScan[]>;
  remove(keys: string[]): Promise<void>;
}

export function indexedDbStore(name = 'fangkong-gate'): ScanStore {
  const store: UseStore = createStore(name, 'scans');
  return {
    put: (scan) => set(scan.idempotencyKey, scan, store),
    all: async () => (await entries<string, QueuedScan>(store)).map(([, scan]) => scan).sort((a, b) => a.scannedAt.localeCompare(b.scannedAt)),
    remove: (keys) => delMany(keys, store),
  };
}

export function memoryStore(): ScanStore {
  const scans = new Map<string, QueuedScan>();
  return {
    put: async (scan) => void scans.set(scan.idempotencyKey, scan),
    all: async () => [...scans.values()].sort((a, b) => a.scannedAt.localeCompare(b.scannedAt)),
    remove: async (keys) => {
      for (const key of keys) scans.delete(key);
    },
  };
}
