import { describe, expect, it } from 'vitest';
import { easeOut, tweenValue } from './animated-number.ts';

describe('counter animation', () => {
  it('starts at the old value and lands exactly on the new one', () => {
    expect(tweenValue(100, 200, 0, 1000)).toBe(100);
    expect(tweenValue(100, 200, 1000, 1000)).toBe(200);
    expect(tweenValue(100, 200, 5000, 1000)).toBe(200);
  });

  it('moves fast first, then settles, counting down too', () => {
    const half = tweenValue(0, 1000, 500, 1000);
    expect(half).toBeGreaterThan(500);
    expect(half).toBeLessThan(1000);
    expect(tweenValue(1000, 0, 500, 1000)).toBeLessThan(500);
    expect(easeOut(2)).toBe(1);
  });
});
