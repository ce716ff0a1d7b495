import { describe, expect, it } from 'vitest';
import { createHeavyReads } from './heavy-reads.ts';

/** A read that finishes when told to. */
function deferredRead() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let started = false;
  return {
    read: async () => {
      started = true;
      await done;
      return 'read';
    },
    finish,
    started: () => started,
  };
}

describe('turns for expensive reads', () => {
  it('runs at most `concurrency` at once, the next when one ends', async () => {
    const heavyRead = createHeavyReads({ concurrency: 2, maxWaitMs: 1000 });
    const reads = [deferredRead(), deferredRead(), deferredRead()];
    const results = reads.map((r) => heavyRead(r.read));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reads.map((r) => r.started())).toEqual([true, true, false]);
    reads[0]!.finish();
    await results[0];
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(reads[2]!.started()).toBe(true);
    reads[1]!.finish();
    reads[2]!.finish();
    expect(await Promise.all(results)).toEqual(['read', 'read', 'read']);
  });

  it('refuses a read that waited too long with a retryable SERVER_BUSY, and frees the turn of one that failed', async () => {
    const heavyRead = createHeavyReads({ concurrency: 1, maxWaitMs: 50 });
    const stuck = deferredRead();
    const first = heavyRead(stuck.read);
    const error = await heavyRead(async () => 'never').catch((e: unknown) => e);
    expect(error).toMatchObject({ extensions: { code: 'SERVER_BUSY', retryable: true, http: { status: 503 } } });
    expect((error as Error).message).toMatch(/waited 50 ms for its turn; retry/);
    stuck.finish();
    await first;
    await expect(heavyRead(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await heavyRead(async () => 'after')).toBe('after');
  });
});
