import { describe, expect, it } from 'vitest';
import { isNotOlder, NO_SEQ, parseSeq } from './seq.ts';

describe('outbox positions', () => {
  it('compares 64-bit positions exactly, beyond what a number can hold', () => {
    const a = parseSeq('9007199254740993');
    const b = parseSeq('9007199254740992');
    expect(isNotOlder(b, a)).toBe(true);
    expect(isNotOlder(a, b)).toBe(false);
  });

  it('compares numerically, not as text', () => {
    expect(isNotOlder(parseSeq('9'), parseSeq('10'))).toBe(true);
    expect(isNotOlder(parseSeq('10'), parseSeq('9'))).toBe(false);
  });

  it('takes an equal position (a snapshot after reconnecting, or a day rollover) and anything over nothing', () => {
    expect(isNotOlder(parseSeq('42'), parseSeq('42'))).toBe(true);
    expect(isNotOlder(NO_SEQ, parseSeq('0'))).toBe(true);
  });

  it('treats garbage as nothing shown', () => {
    expect(parseSeq('abc')).toBe(NO_SEQ);
    expect(parseSeq('-5')).toBe(NO_SEQ);
  });
});
