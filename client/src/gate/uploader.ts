// Uploads the queue in batches, oldest first, one batch at a time; a batch leaves the queue only when
// the server has answered it (each scan stored, a duplicate of one stored before, or a refused reuse
// of its key). A failure keeps the batch and tries again later, with the same keys.
import { backoffDelay } from '../live/backoff.ts';
import type { QueuedScan, ScanStore } from './queue.ts';

export interface ScanAnswer {
  idempotencyKey: string;
  outcome: 'STORED' | 'DUPLICATE' | 'CONFLICT';
  verdict: string | null;
}

/** Sends one batch of one gate; resolves with the server's answers or rejects (network, server down). */
export type SendBatch = (gateId: string, scans: QueuedScan[]) => Promise<ScanAnswer[]>;

export interface UploaderOptions {
  batchSize?: number;
  /** Told after every change of the number waiting. */
  onWaiting?: (waiting: number) => void;
  /** Told of each answered scan (the server's verdict may differ from the phone's). */
  onAnswer?: (scan: QueuedScan, answer: ScanAnswer) => void;
  /** Told when an upload failed and when the next try is due. */
  onFailure?: (error: unknown, retryInMs: number) => void;
  setTimer?: (run: () => void, ms: number) => unknown;
}

export function createUploader(store: ScanStore, send: SendBatch, { batchSize = 100, onWaiting, onAnswer, onFailure, setTimer = setTimeout }: UploaderOptions = {}) {
  let running: Promise<void> | null = null;
  let failures = 0;
  /** A retry is scheduled: failures meanwhile do not schedule another. */
  let retryScheduled = false;

  async function drain(): Promise<void> {
    for (;;) {
      const waiting = await store.all();
      onWaiting?.(waiting.length);
      if (!waiting.length) return;
      const gateId = waiting[0]!.gateId;
      const batch = waiting.filter((s) => s.gateId === gateId).slice(0, batchSize);
      const answers = await send(gateId, batch);
      const byKey = new Map(answers.map((a) => [a.idempotencyKey, a]));
      for (const scan of batch) {
        const answer = byKey.get(scan.idempotencyKey);
        if (answer) onAnswer?.(scan, answer);
      }
      await store.remove(batch.filter((s) => byKey.has(s.idempotencyKey)).map((s) => s.idempotencyKey));
      failures = 0;
    }
  }

  /** Uploads what waits; one run at a time (a call during a run joins it). */
  function flush(): Promise<void> {
    running ??= drain()
      .catch((error: unknown) => {
        const delay = backoffDelay(failures++, { baseMs: 1000, capMs: 30_000 });
        onFailure?.(error, delay);
        if (retryScheduled) return;
        retryScheduled = true;
        setTimer(() => {
          retryScheduled = false;
          void flush();
        }, delay);
      })
      .finally(() => {
        running = null;
      });
    return running;
  }

  return {
    /** Keeps a scan and starts uploading it. */
    async add(scan: QueuedScan): Promise<void> {
      await store.put(scan);
      onWaiting?.((await store.all()).length);
      void flush();
    },
    flush,
  };
}
