import { describe, expect, it } from 'vitest';
import { isRetryOf, submission } from './idempotency.ts';

describe('submission fingerprints', () => {
  const report = {
    checkpointId: 'yingbin-road-exit',
    periodStart: new Date('2020-02-07T00:00:00Z'),
    periodEnd: new Date('2020-02-07T01:00:00Z'),
    source: 'MANUAL',
    vehiclesInspected: 41,
    peopleScreened: 212,
    feverCases: 1,
    hubeiLinked: 0,
    referred: 1,
    disinfections: 3,
  };

  it('does not depend on the order the payload was written in', () => {
    const reversed = Object.fromEntries(Object.entries(report).reverse());
    expect(submission('k-12345678', reversed).payloadHash).toBe(submission('k-12345678', report).payloadHash);
    expect(submission('k-12345678', { ...report, feverCases: 2 }).payloadHash).not.toBe(submission('k-12345678', report).payloadHash);
  });

  it('matches what rows stored before the change hold for every payload we write', () => {
    // Our keys are camelCase words: the old locale-aware sort and the code-unit sort agree on them.
    const s = submission('k-12345678', report);
    expect(s.payloadHash).toBe(s.legacyHash);
  });

  it('still recognises a retry stored under the old canonical form where the two orders differ', () => {
    const payload = { b: 1, B: 2, a: 3 };
    const s = submission('k-12345678', payload);
    expect(s.legacyHash).not.toBe(s.payloadHash);
    expect(isRetryOf({ payloadHash: s.legacyHash }, s)).toBe(true);
    expect(isRetryOf({ payloadHash: s.payloadHash }, s)).toBe(true);
    expect(isRetryOf({ payloadHash: submission('k-12345678', { ...payload, a: 4 }).legacyHash }, s)).toBe(false);
    expect(isRetryOf({ payloadHash: null }, s)).toBe(false);
  });
});
