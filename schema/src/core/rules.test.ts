import { CHECKPOINT_FIGURES, zeroCheckpointCounts } from '@fangkong/zone';
import { describe, expect, it } from 'vitest';
import { checkIdempotencyKey, Rules } from './rules.ts';
import { ValidationError } from './write-errors.ts';

const issuesOf = (rules: Rules) => {
  try {
    rules.check();
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues;
  }
};

describe('write rules', () => {
  const now = new Date('2020-02-07T06:00:00Z');

  it('passes a plausible report and lists every broken rule of a bad one at once', () => {
    const good = new Rules().figures(CHECKPOINT_FIGURES, { ...zeroCheckpointCounts(), peopleScreened: 10, feverCases: 1 }).period(new Date('2020-02-07T04:00:00Z'), new Date('2020-02-07T05:00:00Z'), now);
    expect(issuesOf(good)).toEqual([]);
    const bad = new Rules()
      .figures(CHECKPOINT_FIGURES, { ...zeroCheckpointCounts(), peopleScreened: 2, feverCases: 3, vehiclesInspected: -1 })
      .period(new Date('2020-02-07T05:00:00Z'), new Date('2020-02-07T04:00:00Z'), now)
      .text('reason', '   ', { required: true });
    checkIdempotencyKey(bad, 'short');
    expect(issuesOf(bad).map((i) => i.field)).toEqual(['vehiclesInspected', 'feverCases', 'periodEnd', 'reason', 'idempotencyKey']);
  });

  it('bounds a period: at most 24 hours, not in the future beyond five minutes of skew', () => {
    const hours = (h: number) => new Date(now.getTime() + h * 3_600_000);
    expect(issuesOf(new Rules().period(hours(-25), hours(-0.5), now)).map((i) => i.message)).toEqual(['a period covers at most 24 hours']);
    expect(issuesOf(new Rules().period(hours(-1), new Date(now.getTime() + 4 * 60_000), now))).toEqual([]);
    expect(issuesOf(new Rules().period(hours(-1), new Date(now.getTime() + 6 * 60_000), now)).map((i) => i.field)).toEqual(['periodEnd']);
  });

  it('takes printable idempotency keys of 8 to 128 characters', () => {
    for (const [key, ok] of [['550e8400-e29b-41d4-a716-446655440000', true], ['1234567', false], ['with space1', false], ['x'.repeat(129), false]] as const) {
      const rules = new Rules();
      checkIdempotencyKey(rules, key);
      expect(issuesOf(rules).length === 0).toBe(ok);
    }
  });
});
