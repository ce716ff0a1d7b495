import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  it('grows exponentially from the base', () => {
    const mid = () => 0.5;
    expect(backoffDelay(0, { baseMs: 1000, random: mid })).toBe(750);
    expect(backoffDelay(1, { baseMs: 1000, random: mid })).toBe(1500);
    expect(backoffDelay(2, { baseMs: 1000, random: mid })).toBe(3000);
  });

  it('never exceeds the cap, however many retries failed (no retry limit)', () => {
    for (const attempt of [10, 100, 10_000, Number.MAX_SAFE_INTEGER]) {
      const delay = backoffDelay(attempt, { baseMs: 500, capMs: 30_000, random: () => 0.999999 });
      expect(delay).toBeLessThanOrEqual(30_000);
      expect(delay).toBeGreaterThanOrEqual(15_000);
    }
  });

  it('jitters within [half, full] of the nominal delay so displays do not reconnect in lockstep', () => {
    expect(backoffDelay(3, { baseMs: 1000, random: () => 0 })).toBe(4000);
    expect(backoffDelay(3, { baseMs: 1000, random: () => 0.999999 })).toBe(8000);
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(4, { baseMs: 1000 })));
    expect(seen.size).toBeGreaterThan(10);
  });
});
