// Reports waiting to be sent, kept on the phone (localStorage) in the order they were made, each with
// its own idempotency key: they survive a reload or a page opened with no signal, and go out one at a
// time, oldest first. A report the server refused stays listed, with why, until the operator takes it
// back into the form or discards it.
import { loadPending, PENDING_KEY, type PendingSubmission } from './draft.ts';

export interface QueuedReport {
  pending: PendingSubmission;
  /** Tries so far (saved before each), so an answer "duplicate" can be told from an operator's repeat. */
  attempts: number;
  queuedAt: number;
  /** Set once the server refused it: the code and the page's words for it. */
  refused?: { code: string; text: string };
}

export const QUEUE_KEY = 'fangkong.reportQueue';

const keyOf = (q: QueuedReport) => q.pending.input.idempotencyKey;

export function loadQueue(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>, now = Date.now()): QueuedReport[] {
  let queue: QueuedReport[] = [];
  try {
    const parsed = JSON.parse(storage.getItem(QUEUE_KEY) ?? '[]') as QueuedReport[];
    if (Array.isArray(parsed)) queue = parsed.filter((q) => (q?.pending?.kind === 'checkpoint' || q?.pending?.kind === 'line') && typeof q.pending.input?.idempotencyKey === 'string');
  } catch {
    queue = [];
  }
  // The single pending report of earlier versions of the page joins the queue.
  const legacy = loadPending(storage);
  if (legacy) {
    queue = enqueue(queue, legacy, now, 1);
    try {
      storage.removeItem(PENDING_KEY);
    } catch {
      // kept in the queue below all the same
    }
    saveQueue(storage, queue);
  }
  return queue;
}

export function saveQueue(storage: Pick<Storage, 'setItem'>, queue: readonly QueuedReport[]): void {
  try {
    storage.setItem(QUEUE_KEY, JSON.stringify(queue));
  } catch {
    // Without storage the queue lives as long as the page; the keys still protect against doubles.
  }
}

/** The queue with `pending` at its end; a report already queued under the same key is not added twice. */
export function enqueue(queue: readonly QueuedReport[], pending: PendingSubmission, now = Date.now(), attempts = 0): QueuedReport[] {
  if (queue.some((q) => keyOf(q) === pending.input.idempotencyKey)) return [...queue];
  return [...queue, { pending, attempts, queuedAt: now }];
}

export const without = (queue: readonly QueuedReport[], key: string): QueuedReport[] => queue.filter((q) => keyOf(q) !== key);

/** The next report to send: the oldest not refused. */
export const nextToSend = (queue: readonly QueuedReport[]): QueuedReport | null => queue.find((q) => !q.refused) ?? null;

export const update = (queue: readonly QueuedReport[], key: string, change: Partial<QueuedReport>): QueuedReport[] =>
  queue.map((q) => (keyOf(q) === key ? { ...q, ...change } : q));

/** The figures of a submission without its key, to tell whether a form still says what was sent. */
export function sameFigures(a: PendingSubmission, b: PendingSubmission): boolean {
  const strip = ({ idempotencyKey: _k, ...rest }: { idempotencyKey: string }) => JSON.stringify(Object.entries(rest).sort(([x], [y]) => x.localeCompare(y)));
  return a.kind === b.kind && strip(a.input) === strip(b.input);
}
