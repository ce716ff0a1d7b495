// The zone's local time (Asia/Shanghai unless the server says otherwise), from the built-in Intl data.

import { assertTimeZone, wallClock } from '@fangkong/schema';

/** Hours since local midnight, fractional (14.5 = 14:30). */
export function localHourOf(at: Date, timeZone: string): number {
  const w = wallClock(at, timeZone);
  return w.hour + w.minute / 60 + w.second / 3600;
}

/** The local day, "YYYY-MM-DD". */
export function localDayOf(at: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** "HH:MM" local. */
export function localClockOf(at: Date, timeZone: string): string {
  const w = wallClock(at, timeZone);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

/** The instant when the local wall clock shows `day` at `hour`:00 (hour may be 24: the next midnight). */
export function zonedInstant(day: string, hour: number, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const target = Date.UTC(y, m - 1, d, hour);
  // Guess with the offset at the target read as UTC, then correct once for a changed offset.
  let guess = target - offsetMs(new Date(target), timeZone);
  guess = target - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

function offsetMs(at: Date, timeZone: string): number {
  const w = wallClock(at, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

/** True for a real calendar date written YYYY-MM-DD. */
export function isCalendarDay(day: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return false;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === day;
}

export function isTimeZone(timeZone: string): boolean {
  try {
    assertTimeZone(timeZone);
    return true;
  } catch {
    return false;
  }
}

const pad = (n: number) => String(n).padStart(2, '0');
