import { describe, expect, it } from 'vitest';
import { addDays, fromZonedLocal, lastFullHour, localDay, toZonedIso, wallClock } from '@fangkong/zone';
import { formatClock, formatHourMinute, formatLongDate, toZonedInputValue } from './time.ts';

// The formatting here, and the zone arithmetic the wall and the report page take from @fangkong/zone.

const TZ = 'Asia/Shanghai';
// 2020-02-07 09:17:42 in Jiaozuo is 01:17:42 UTC.
const at = Date.parse('2020-02-07T01:17:42.250Z');

describe('the zone clock', () => {
  it('shows the zone time whatever the machine time zone', () => {
    expect(formatClock(at, TZ)).toBe('09:17:42');
    expect(formatHourMinute(at, TZ)).toBe('09:17');
    expect(formatClock(Date.parse('2020-02-07T16:05:00Z'), TZ)).toBe('00:05:00');
  });

  it('writes the local date in Chinese and English', () => {
    expect(formatLongDate(at, TZ, 'zh')).toBe('2020年2月7日 星期五');
    expect(formatLongDate(at, TZ, 'en')).toMatch(/^Fri,? 7 Feb 2020$/); // ICU versions differ on the comma
  });

  it('turns the hour just after local midnight into the new local day', () => {
    expect(wallClock(Date.parse('2020-02-06T16:30:00Z'), TZ).hour).toBe(0);
    expect(wallClock(Date.parse('2020-02-06T15:30:00Z'), TZ).hour).toBe(23);
  });
});

describe('periods in zone time', () => {
  it('writes instants with the zone offset, as the API takes them', () => {
    expect(toZonedIso(Date.parse('2020-02-07T00:00:00Z'), TZ)).toBe('2020-02-07T08:00:00+08:00');
    expect(toZonedIso(Date.parse('2020-02-07T00:00:00Z'), 'UTC')).toBe('2020-02-07T00:00:00+00:00');
  });

  it('reads a datetime-local value as zone time, round trip', () => {
    const ms = fromZonedLocal('2020-02-07T08:00', TZ)!.getTime();
    expect(new Date(ms).toISOString()).toBe('2020-02-07T00:00:00.000Z');
    expect(toZonedInputValue(ms, TZ)).toBe('2020-02-07T08:00');
    expect(fromZonedLocal('tomorrow', TZ)).toBeNull();
  });

  it('defaults to the last full local hour', () => {
    const { start, end } = lastFullHour(at, TZ);
    expect(toZonedIso(start, TZ)).toBe('2020-02-07T08:00:00+08:00');
    expect(toZonedIso(end, TZ)).toBe('2020-02-07T09:00:00+08:00');
  });

  it('uses zones whose offset is not a whole hour', () => {
    const { start } = lastFullHour(Date.parse('2020-02-07T04:50:00Z'), 'Asia/Kolkata');
    expect(toZonedIso(start, 'Asia/Kolkata')).toBe('2020-02-07T09:00:00+05:30');
  });

  it('finds the previous day and its local midnight', () => {
    expect(addDays('2020-03-01', -1)).toBe('2020-02-29');
    expect(localDay('2020-02-07', TZ).start.toISOString()).toBe('2020-02-06T16:00:00.000Z');
  });
});
