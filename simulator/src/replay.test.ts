import { describe, expect, it } from 'vitest';
import { checkReplayDay, replayHours, replayKey } from './replay.ts';

describe('replay', () => {
  const zone = 'Asia/Shanghai';
  it('covers the local hours of the day that have ended', () => {
    const hours = replayHours('2020-02-04', zone, Date.parse('2020-02-04T02:30:00Z')); // 10:30 local
    expect(hours.map((h) => h.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(hours[0]!.start.toISOString()).toBe('2020-02-03T16:00:00.000Z');
    expect(replayHours('2020-02-03', zone, Date.parse('2020-02-04T02:30:00Z'))).toHaveLength(24);
  });
  it('refuses a day in the future and keys each hour stably', () => {
    expect(checkReplayDay('2020-02-05', zone, Date.parse('2020-02-04T02:30:00Z'))).toMatch(/in the future/);
    expect(checkReplayDay('2020-02-04', zone, Date.parse('2020-02-04T02:30:00Z'))).toBeUndefined();
    expect(replayKey('2020-02-04', 'gaosu-1', 7)).toBe('replay:2020-02-04:gaosu-1:07');
  });
});
