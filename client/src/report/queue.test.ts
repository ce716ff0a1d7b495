import { describe, expect, it } from 'vitest';
import { PENDING_KEY, type PendingSubmission } from './draft.ts';
import { enqueue, loadQueue, nextToSend, QUEUE_KEY, sameFigures, saveQueue, update, without } from './queue.ts';

const report = (key: string, people = 5): PendingSubmission => ({
  kind: 'checkpoint',
  input: { checkpointId: 'c1', periodStart: '2020-02-07T02:00:00.000Z', periodEnd: '2020-02-07T03:00:00.000Z', idempotencyKey: key, vehiclesInspected: 1, peopleScreened: people, feverCases: 0, hubeiLinked: 0, referred: 0, disinfections: 0 },
});

function memoryStorage(): Storage {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
    clear: () => map.clear(),
    key: (i) => [...map.keys()][i] ?? null,
    get length() {
      return map.size;
    },
  };
}

describe('the queue of reports', () => {
  it('keeps several reports in order, each under its own key, across a reload', () => {
    const storage = memoryStorage();
    let queue = enqueue([], report('key-aaaaaaaa'), 1);
    queue = enqueue(queue, report('key-bbbbbbbb', 6), 2);
    queue = enqueue(queue, report('key-aaaaaaaa'), 3); // the same report again: not twice
    saveQueue(storage, queue);
    const reloaded = loadQueue(storage);
    expect(reloaded.map((q) => q.pending.input.idempotencyKey)).toEqual(['key-aaaaaaaa', 'key-bbbbbbbb']);
    expect(nextToSend(reloaded)?.pending.input.idempotencyKey).toBe('key-aaaaaaaa');
  });

  it('passes over a refused report, which stays listed until taken back', () => {
    let queue = enqueue(enqueue([], report('key-aaaaaaaa')), report('key-bbbbbbbb'));
    queue = update(queue, 'key-aaaaaaaa', { refused: { code: 'OVERLAPPING_REPORT', text: '…' } });
    expect(nextToSend(queue)?.pending.input.idempotencyKey).toBe('key-bbbbbbbb');
    queue = without(queue, 'key-bbbbbbbb');
    expect(nextToSend(queue)).toBeNull();
    expect(queue).toHaveLength(1);
  });

  it('takes over the single pending report of the earlier page, as tried once', () => {
    const storage = memoryStorage();
    storage.setItem(PENDING_KEY, JSON.stringify(report('key-legacy00')));
    const queue = loadQueue(storage);
    expect(queue.map((q) => [q.pending.input.idempotencyKey, q.attempts])).toEqual([['key-legacy00', 1]]);
    expect(storage.getItem(PENDING_KEY)).toBeNull();
    expect(JSON.parse(storage.getItem(QUEUE_KEY)!)).toHaveLength(1);
    storage.setItem(QUEUE_KEY, '{not json');
    expect(loadQueue(storage)).toEqual([]);
  });

  it('tells the same figures under another key from changed figures', () => {
    expect(sameFigures(report('key-aaaaaaaa'), report('key-bbbbbbbb'))).toBe(true);
    expect(sameFigures(report('key-aaaaaaaa'), report('key-aaaaaaaa', 7))).toBe(false);
  });
});
