import { invalidArgument } from './errors.ts';

/** A reporting day: local date in the zone's time zone and its [start, end) instants. */
export interface LocalDay {
  day: string;
  start: Date;
  end: Date;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function assertTimeZone(timeZone: string): string {
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    throw new Error(`FANGKONG_TZ: unknown time zone "${timeZone}"; use an IANA name such as Asia/Shanghai`);
  }
}

/** The wall-clock reading (year, month, day, hour, minute, second) of an instant in a zone. */
export function wallClock(instant: Date, timeZone: string): Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number> {
  return parts(instant, timeZone) as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
}

function parts(instant: Date, timeZone: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The zone's offset from UTC at an instant, in milliseconds. */
function offsetAt(instant: Date, timeZone: string): number {
  const p = parts(instant, timeZone);
  const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant at which a local wall-clock time occurs (DST-safe for the zones we serve). */
export function localTimeToInstant(year: number, month: number, day: number, hour: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, hour);
  let instant = wall - offsetAt(new Date(wall), timeZone);
  instant = wall - offsetAt(new Date(instant), timeZone);
  return new Date(instant);
}

const lastDate = new Map<string, { minute: number; date: string }>();

/** The local date (YYYY-MM-DD) of an instant. Called per row for "today": memoised per minute. */
export function localDate(instant: Date, timeZone: string): string {
  const minute = Math.floor(instant.getTime() / 60_000);
  const cached = lastDate.get(timeZone);
  if (cached?.minute === minute) return cached.date;
  const p = parts(instant, timeZone);
  const date = `${p.year}-${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')}`;
  lastDate.set(timeZone, { minute, date });
  return date;
}

export function parseDay(day: string, argument = 'day'): { year: number; month: number; day: number } {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  const [y, m, d] = match ? [Number(match[1]), Number(match[2]), Number(match[3])] : [0, 0, 0];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (!match || check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) {
    throw invalidArgument(argument, `"${day}" is not a calendar date in the form YYYY-MM-DD`);
  }
  return { year: y, month: m, day: d };
}

/** Day `day` (YYYY-MM-DD) in the zone: from local 00:00 to the next local 00:00. */
export function localDay(day: string, timeZone: string): LocalDay {
  const { year, month, day: d } = parseDay(day);
  const next = new Date(Date.UTC(year, month - 1, d + 1));
  return {
    day,
    start: localTimeToInstant(year, month, d, 0, timeZone),
    end: localTimeToInstant(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), 0, timeZone),
  };
}

export function today(now: Date, timeZone: string): LocalDay {
  return localDay(localDate(now, timeZone), timeZone);
}
