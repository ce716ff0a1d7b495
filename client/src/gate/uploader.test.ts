import { describe, expect, it } from 'vitest';
import { memoryStore, type QueuedScan } from './queue.ts';
import { createUploader, type ScanAnswer } from './uploader.ts';
import { codeHash, indexDirectory, judge, normaliseCode } from './code.ts';

const scan = (n: number, gateId = 'gate-1'): QueuedScan => ({
  gateId,
  idempotencyKey: `key-000${n}`,
  code: `FKP${n}`,
  direction: 'IN',
  temperature: null,
  scannedAt: `2020-02-07T10:0${n}:00Z`,
  deviceVerdict: 'VALID',
});

describe('the gate phone’s upload queue', () => {
  it('keeps scans while uploads fail and sends each key until one answer removes it', async () => {
    const store = memoryStore();
    const sent: string[][] = [];
    let online = false;
    const timers: (() => void)[] = [];
    const waiting: number[] = [];
    const uploader = createUploader(
      store,
      async (_gate, batch) => {
        sent.push(batch.map((s) => s.idempotencyKey));
        if (!online) throw new TypeError('Failed to fetch');
        return batch.map((s): ScanAnswer => ({ idempotencyKey: s.idempotencyKey, outcome: 'STORED', verdict: 'VALID' }));
      },
      { setTimer: (run) => timers.push(run), onWaiting: (n) => waiting.push(n) },
    );
    await uploader.add(scan(1));
    await uploader.flush();
    await uploader.add(scan(2));
    await uploader.flush();
    expect((await store.all()).map((s) => s.idempotencyKey)).toEqual(['key-0001', 'key-0002']);
    online = true;
    timers.shift()!();
    await uploader.flush();
    expect(await store.all()).toEqual([]);
    expect(sent.at(-1)).toEqual(['key-0001', 'key-0002']);
    expect(waiting.at(-1)).toBe(0);
  });

  it('uploads one gate per batch, in batches of the given size', async () => {
    const store = memoryStore();
    const batches: [string, number][] = [];
    const uploader = createUploader(store, async (gate, batch) => {
      batches.push([gate, batch.length]);
      return batch.map((s) => ({ idempotencyKey: s.idempotencyKey, outcome: 'DUPLICATE' as const, verdict: 'VALID' }));
    }, { batchSize: 2 });
    for (const n of [1, 2, 3]) await store.put(scan(n));
    await store.put(scan(4, 'gate-2'));
    await uploader.flush();
    expect(batches).toEqual([['gate-1', 2], ['gate-1', 1], ['gate-2', 1]]);
  });
});

describe('offline verdicts', () => {
  it('reads a code as the server does and judges it from the directory', async () => {
    expect(normaliseCode('fkp-o1il-0000')).toBe('FKP01110000');
    const hash = await codeHash('FKP-0000');
    expect(hash).toBe(await codeHash('fkp0000'));
    const other = await codeHash('FKP-1111');
    const suspended = await codeHash('FKP-2222');
    const directory = indexDirectory({
      compoundId: 'changlv-linxigu',
      asOf: '2020-02-07T00:00:00Z',
      passes: [
        { codeHash: hash, compoundId: 'changlv-linxigu', status: 'ACTIVE' },
        { codeHash: other, compoundId: 'hpu-binhe', status: 'ACTIVE' },
        { codeHash: suspended, compoundId: 'changlv-linxigu', status: 'SUSPENDED' },
      ],
    });
    expect(judge(directory, hash)).toBe('VALID');
    expect(judge(directory, other)).toBe('OTHER_COMPOUND');
    expect(judge(directory, suspended)).toBe('SUSPENDED');
    expect(judge(directory, await codeHash('FKP-3333'))).toBe('UNKNOWN');
  });
});
