import { describe, expect, it } from 'vitest';
import { workingDaysBetween } from './content.ts';

const at = (local: string) => new Date(`${local}+08:00`);

describe('working days a resumption application took', () => {
  it('counts the weekdays after the day of receipt up to the decision', () => {
    // Friday 7 February 2020 → Monday 10 February: one working day (the weekend skipped).
    expect(workingDaysBetween(at('2020-02-07T16:00:00'), at('2020-02-10T09:00:00'), 'Asia/Shanghai')).toBe(1);
    expect(workingDaysBetween(at('2020-02-07T16:00:00'), at('2020-02-11T17:00:00'), 'Asia/Shanghai')).toBe(2);
    expect(workingDaysBetween(at('2020-02-07T16:00:00'), at('2020-02-12T08:00:00'), 'Asia/Shanghai')).toBe(3);
  });

  it('is 0 for a decision on the day of receipt, and reads days in the zone, not in UTC', () => {
    expect(workingDaysBetween(at('2020-02-04T09:00:00'), at('2020-02-04T18:00:00'), 'Asia/Shanghai')).toBe(0);
    // 00:30 on Wednesday in Shanghai is still Tuesday in UTC: one working day, not two.
    expect(workingDaysBetween(at('2020-02-04T10:00:00'), at('2020-02-05T00:30:00'), 'Asia/Shanghai')).toBe(1);
  });
});
