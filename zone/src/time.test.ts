import { describe, expect, it } from 'vitest';
import { addDays, fromZonedLocal, isCalendarDay, isTimeZone, lastFullHour, localDate, localDay, localClock, localHourOf, localPeriod, parseDay, today, toZonedIso, wallClock, zonedInstant } from './time.ts';

describe('local days in Asia/Shanghai (UTC+8, no DST)', () => {
  const zone = 'Asia/Shanghai';
  it('runs a reporting day from local midnight to local midnight', () => {
    const day = localDay('2020-02-07', zone);
    expect(day.start.toISOString()).toBe('2020-02-06T16:00:00.000Z');
    expect(day.end.toISOString()).toBe('2020-02-07T16:00:00.000Z');
  });
  it('puts 00:30 local in the new day and 23:59 in the old one', () => {
    expect(localDate(new Date('2020-02-07T16:30:00Z'), zone)).toBe('2020-02-08');
    expect(localDate(new Date('2020-02-07T15:59:00Z'), zone)).toBe('2020-02-07');
    expect(today(new Date('2020-02-07T16:30:00Z'), zone).day).toBe('2020-02-08');
  });
  it('writes and reads zone-local instants', () => {
    expect(toZonedIso(new Date('2020-02-07T00:00:00Z'), zone)).toBe('2020-02-07T08:00:00+08:00');
    expect(fromZonedLocal('2020-02-07T08:00', zone)?.toISOString()).toBe('2020-02-07T00:00:00.000Z');
    expect(fromZonedLocal('2020-02-30T08:00', zone)).toBeNull();
    expect(fromZonedLocal('yesterday', zone)).toBeNull();
    expect(localHourOf(new Date('2020-02-07T06:30:00Z'), zone)).toBe(14.5);
    expect(localClock(new Date('2020-02-07T06:30:59Z'), zone)).toBe('14:30');
    expect(localPeriod(new Date('2020-02-07T05:00:00Z'), new Date('2020-02-07T06:00:00Z'), zone)).toBe('13:00–14:00');
    // Shorter than a minute, or off the minute: the seconds say which period it is.
    expect(localPeriod(new Date('2020-02-07T05:00:00Z'), new Date('2020-02-07T05:00:10Z'), zone)).toBe('13:00:00–13:00:10');
  });
  it('finds the last full local hour', () => {
    const { start, end } = lastFullHour(new Date('2020-02-07T01:17:42.123Z'), zone);
    expect([start.toISOString(), end.toISOString()]).toEqual(['2020-02-07T00:00:00.000Z', '2020-02-07T01:00:00.000Z']);
  });
});

describe('zones with daylight saving', () => {
  it('gives Europe/Berlin a 23-hour day in spring and a 25-hour day in autumn', () => {
    const spring = localDay('2024-03-31', 'Europe/Berlin');
    const autumn = localDay('2024-10-27', 'Europe/Berlin');
    expect((spring.end.getTime() - spring.start.getTime()) / 3_600_000).toBe(23);
    expect((autumn.end.getTime() - autumn.start.getTime()) / 3_600_000).toBe(25);
    expect(spring.start.toISOString()).toBe('2024-03-30T23:00:00.000Z');
    expect(autumn.end.toISOString()).toBe('2024-10-27T23:00:00.000Z');
  });
  it('maps wall-clock times on both sides of a change to the offset in force', () => {
    expect(zonedInstant(2024, 3, 10, 1, 30, 0, 'America/New_York').toISOString()).toBe('2024-03-10T06:30:00.000Z');
    expect(zonedInstant(2024, 3, 10, 3, 30, 0, 'America/New_York').toISOString()).toBe('2024-03-10T07:30:00.000Z');
    expect(toZonedIso(new Date('2024-07-01T12:00:00Z'), 'America/New_York')).toBe('2024-07-01T08:00:00-04:00');
  });
  it('reads the wall clock of a zone with a half-hour offset', () => {
    expect(wallClock(new Date('2020-02-07T00:00:00Z'), 'Asia/Kolkata')).toEqual({ year: 2020, month: 2, day: 7, hour: 5, minute: 30, second: 0 });
  });
});

describe('calendar dates', () => {
  it('accepts real dates only', () => {
    expect(parseDay('2020-02-29')).toEqual({ year: 2020, month: 2, day: 29 });
    expect(isCalendarDay('2019-02-29')).toBe(false);
    expect(isCalendarDay('2020-2-9')).toBe(false);
  });
  it('adds days across months and years', () => {
    expect(addDays('2020-02-28', 2)).toBe('2020-03-01');
    expect(addDays('2020-01-01', -1)).toBe('2019-12-31');
  });
  it('knows IANA zones', () => {
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});
