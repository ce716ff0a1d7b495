import { CombinedError } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { newIdempotencyKey, parseCount } from './draft.ts';
import { classify, refusedOnlyTheReadBack, submitWithRetry, SubmissionRefused, type Attempt } from './submit-with-retry.ts';

const noSleep = async () => {};

describe('submitWithRetry', () => {
  it('retries network failures with the same idempotency key until the server answers', async () => {
    const input = { checkpointId: 'c', peopleScreened: 12, idempotencyKey: newIdempotencyKey() };
    const keysSent: string[] = [];
    const retries: number[] = [];
    let calls = 0;
    const send = async (): Promise<Attempt<{ duplicate: boolean }>> => {
      keysSent.push(input.idempotencyKey);
      calls++;
      // The second try reached the server but its answer was lost; the third is answered as a duplicate.
      if (calls < 3) return { kind: 'network', error: new TypeError('Failed to fetch') };
      return { kind: 'answer', value: { duplicate: true } };
    };
    const result = await submitWithRetry(send, { sleep: noSleep, onRetry: ({ retry }) => retries.push(retry) });
    expect(result).toEqual({ duplicate: true });
    expect(keysSent).toHaveLength(3);
    expect(new Set(keysSent).size).toBe(1);
    expect(retries).toEqual([1, 2]);
  });

  it('waits with capped, growing delays between tries', async () => {
    const waits: number[] = [];
    let calls = 0;
    await submitWithRetry(async () => (++calls < 8 ? { kind: 'network', error: null } : { kind: 'answer', value: 1 }), {
      sleep: async (ms) => void waits.push(ms),
      backoff: { baseMs: 1000, capMs: 15_000, random: () => 0.999999 },
    });
    expect(waits).toEqual([1000, 2000, 4000, 8000, 15000, 15000, 15000]);
  });

  it('stops at once when the server refuses (no retry of a refused token)', async () => {
    let calls = 0;
    const attempt = submitWithRetry(async () => {
      calls++;
      return { kind: 'refused', error: new Error('the token is unknown or revoked') };
    }, { sleep: noSleep });
    await expect(attempt).rejects.toBeInstanceOf(SubmissionRefused);
    expect(calls).toBe(1);
  });

  it('can be cancelled between tries', async () => {
    const controller = new AbortController();
    const attempt = submitWithRetry(
      async () => {
        controller.abort();
        return { kind: 'network', error: null };
      },
      { sleep: noSleep, signal: controller.signal },
    );
    await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('classify', () => {
  it('sorts urql results into answers, network failures and refusals', () => {
    expect(classify({ data: { ok: 1 } }).kind).toBe('answer');
    expect(classify({ error: new CombinedError({ networkError: new TypeError('Failed to fetch') }) }).kind).toBe('network');
    expect(classify({ error: new CombinedError({ graphQLErrors: [{ message: 'the token is unknown or revoked' }] }) }).kind).toBe('refused');
  });
});

describe('refusedOnlyTheReadBack', () => {
  it('tells a refused read of the stored report (the write went through) from a refused write', () => {
    const readBack = new CombinedError({
      graphQLErrors: [{ message: 'not allowed for this token: CheckpointReport.id', path: ['reportCheckpointCounts', 'report', 'id'], extensions: { code: 'FORBIDDEN' } }],
    });
    const write = new CombinedError({
      graphQLErrors: [{ message: 'not allowed for this token', path: ['reportCheckpointCounts'], extensions: { code: 'FORBIDDEN' } }],
    });
    expect(refusedOnlyTheReadBack(readBack)).toBe(true);
    expect(refusedOnlyTheReadBack(write)).toBe(false);
    expect(refusedOnlyTheReadBack(undefined)).toBe(false);
  });
});

describe('draft figures', () => {
  it('reads counts as whole numbers ≥ 0, empty as 0', () => {
    expect(parseCount('')).toBeNull();
    expect(parseCount(' 42 ')).toBe(42);
    expect(parseCount('-1')).toBeNull();
    expect(parseCount('1.5')).toBeNull();
    expect(parseCount('1e3')).toBeNull();
    expect(parseCount('99999999999')).toBeNull();
  });

  it('makes a fresh key per report', () => {
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey());
    expect(newIdempotencyKey()).toMatch(/^[0-9a-f-]{36}$/);
  });
});
