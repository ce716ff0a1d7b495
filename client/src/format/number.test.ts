import { describe, expect, it } from 'vitest';
import { formatCompact, formatCount, formatPercent } from './number.ts';

describe('number formatting', () => {
  it('groups digits for legibility across the room', () => {
    expect(formatCount(1234567, 'zh')).toBe('1,234,567');
    expect(formatCount(1234567, 'en')).toBe('1,234,567');
    expect(formatCount(0, 'zh')).toBe('0');
  });

  it('shows a dash for missing values, never NaN', () => {
    expect(formatCount(null, 'zh')).toBe('—');
    expect(formatCount(Number.NaN, 'en')).toBe('—');
    expect(formatPercent(null)).toBe('—');
  });

  it('writes shares as whole percentages, with a decimal when small', () => {
    expect(formatPercent(0.874)).toBe('87%');
    expect(formatPercent(1.2)).toBe('120%');
    expect(formatPercent(0.042)).toBe('4.2%');
    expect(formatPercent(0)).toBe('0%');
  });

  it('compacts large counts in each language', () => {
    expect(formatCompact(12_345, 'zh')).toBe('1.2万');
    expect(formatCompact(1_200, 'zh')).toBe('1,200');
    expect(formatCompact(12_345, 'en')).toBe('12.3k');
    expect(formatCompact(3_400_000, 'en')).toBe('3.4M');
  });
});
