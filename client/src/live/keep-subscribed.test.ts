import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepSubscribed } from './keep-subscribed.ts';

describe('keepSubscribed', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('reopens a subscription the server ended, with growing delays that reset once data flows', async () => {
    const opened: number[] = [];
    const ends: (() => void)[] = [];
    const flows: (() => void)[] = [];
    const stop = keepSubscribed(
      (ended, flowing) => {
        opened.push(Date.now());
        ends.push(ended);
        flows.push(flowing);
        return () => {};
      },
      { backoff: { baseMs: 1000, capMs: 8000, random: () => 0.999999 } },
    );
    const t0 = Date.now();
    expect(opened).toHaveLength(1);
    ends[0]!(); // refused
    await vi.advanceTimersByTimeAsync(1000);
    expect(opened).toHaveLength(2);
    ends[1]!();
    await vi.advanceTimersByTimeAsync(2000);
    expect(opened).toHaveLength(3);
    flows[2]!(); // data again: the next failure starts from the base delay
    ends[2]!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(opened).toHaveLength(4);
    expect(opened.map((t) => t - t0)).toEqual([0, 1000, 3000, 4000]);
    stop();
  });

  it('ends once per subscription even when told twice, and stops for good', async () => {
    let teardowns = 0;
    const ends: (() => void)[] = [];
    const stop = keepSubscribed(
      (ended) => {
        ends.push(ended);
        return () => teardowns++;
      },
      { backoff: { baseMs: 100, random: () => 0 } },
    );
    ends[0]!();
    ends[0]!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(ends).toHaveLength(2);
    stop();
    expect(teardowns).toBe(1);
    ends[1]!();
    await vi.runAllTimersAsync();
    expect(ends).toHaveLength(2);
  });
});
