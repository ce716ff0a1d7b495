import { describe, expect, it } from 'vitest';
import {
  formatClock,
  formatHourMinute,
  formatLongDate,
  fromZonedInputValue,
  lastFullHour,
  localHour,
  previousDay,
  toZonedInputValue,
  toZonedIso,
  zonedMidnight,
} from './time.ts';

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
    expect(localHour(Date.parse('2020-02-06T16:30:00Z'), TZ)).toBe(0);
    expect(localHour(Date.parse('2020-02-06T15:30:00Z'), TZ)).toBe(23);
  });
});

describe('periods in zone time', () => {
  it('writes instants with the zone offset, as the API takes them', () => {
    expect(toZonedIso(Date.parse('2020-02-07T00:00:00Z'), TZ)).toBe('2020-02-07T08:00:00+08:00');
    expect(toZonedIso(Date.parse('2020-02-07T00:00:00Z'), 'UTC')).toBe('2020-02-07T00:00:00+00:00');
  });

  it('reads a datetime-local value as zone time, round trip', () => {
    const ms = fromZonedInputValue('2020-02-07T08:00', TZ)!;
    expect(new Date(ms).toISOString()).toBe('2020-02-07T00:00:00.000Z');
    expect(toZonedInputValue(ms, TZ)).toBe('2020-02-07T08:00');
    expect(fromZonedInputValue('tomorrow', TZ)).toBeNull();
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
    expect(previousDay('2020-03-01')).toBe('2020-02-29');
    expect(new Date(zonedMidnight('2020-02-07', TZ)).toISOString()).toBe('2020-02-06T16:00:00.000Z');
  });
});
