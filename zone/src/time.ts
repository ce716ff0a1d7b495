// The zone's local time: reporting days run 00:00–24:00 on the zone's wall clock. Built on the
// Intl time-zone data every Node and browser ships, so it needs no library and follows DST where a
// deployment's zone has it (Asia/Shanghai has none).

/** The zone's time zone unless a deployment sets `FANGKONG_TZ` (the server reports it as `ZoneSummary.timeZone`). */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A reporting day: its local date and its [start, end) instants. */
export interface LocalDay {
  day: string;
  start: Date;
  end: Date;
}

/** The wall-clock reading of an instant in a zone. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// One formatter per zone, made once: formatToParts is called per row and per second on the wall.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True for an IANA time zone name this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock reading (year, month, day, hour, minute, second) of an instant in a zone. */
export function wallClock(instant: Date | number, timeZone: string): WallClock {
  const out: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return { year: out.year!, month: out.month!, day: out.day!, hour: out.hour! % 24, minute: out.minute!, second: out.second! };
}

/** The zone's offset from UTC at an instant, in milliseconds (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(instant: Date | number, timeZone: string): number {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  const w = wallClock(ms, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant at which the zone's wall clock shows the given time. The offset is looked up twice, so
 * a time next to an offset change resolves to the offset in force then; a time skipped by a DST jump
 * lands just after it. Fields may overflow (hour 24 is the next midnight; day 32 is next month).
 */
export function zonedInstant(year: number, month: number, day: number, hour = 0, minute = 0, second = 0, timeZone = DEFAULT_TIME_ZONE): Date {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  let instant = wall - zoneOffsetMs(wall, timeZone);
  instant = wall - zoneOffsetMs(instant, timeZone);
  return new Date(instant);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A calendar date "YYYY-MM-DD" as numbers, or null when it is not a real date in that form. */
export function parseDay(day: string): { year: number; month: number; day: number } | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const check = new Date(Date.UTC(y, m - 1, d));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
  return { year: y, month: m, day: d };
}

/** True for a real calendar date written YYYY-MM-DD. */
export const isCalendarDay = (day: string): boolean => parseDay(day) !== null;

const lastDate = new Map<string, { minute: number; date: string }>();

/** The local date (YYYY-MM-DD) of an instant. Called per row for "today": memoised per zone and minute. */
export function localDate(instant: Date | number, timeZone: string): string {
  const ms = typeof instant === 'number' ? instant : instant.getTime();
  const minute = Math.floor(ms / MINUTE_MS);
  const cached = lastDate.get(timeZone);
  if (cached?.minute === minute) return cached.date;
  const w = wallClock(ms, timeZone);
  const date = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
  lastDate.set(timeZone, { minute, date });
  return date;
}

/** The local wall-clock time of an instant, "HH:MM". */
export function localClock(instant: Date | number, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

/**
 * A period in local wall-clock time, "HH:MM–HH:MM"; with seconds ("HH:MM:SS–HH:MM:SS") when a bound
 * is not on a whole minute, so a period shorter than a minute never reads "13:00–13:00".
 */
export function localPeriod(start: Date | number, end: Date | number, timeZone: string): string {
  const ms = [start, end].map((instant) => (typeof instant === 'number' ? instant : instant.getTime()));
  if (ms.every((instant) => instant % MINUTE_MS === 0)) return `${localClock(start, timeZone)}–${localClock(end, timeZone)}`;
  const [from, to] = [wallClock(start, timeZone), wallClock(end, timeZone)];
  return `${pad(from.hour)}:${pad(from.minute)}:${pad(from.second)}–${pad(to.hour)}:${pad(to.minute)}:${pad(to.second)}`;
}

/** Hours since local midnight, fractional (14.5 = 14:30). */
export function localHourOf(instant: Date | number, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  return w.hour + w.minute / 60 + w.second / 3600;
}

/** The date `days` after `day` (negative: before), "YYYY-MM-DD". */
export function addDays(day: string, days: number): string {
  const parsed = parseDay(day);
  if (!parsed) throw new RangeError(`"${day}" is not a calendar date in the form YYYY-MM-DD`);
  return new Date(Date.UTC(parsed.year, parsed.month - 1, parsed.day + days)).toISOString().slice(0, 10);
}

/** Day `day` (YYYY-MM-DD) in the zone: from local 00:00 to the next local 00:00 (23 or 25 h across DST). */
export function localDay(day: string, timeZone: string): LocalDay {
  // Four offset look-ups (formatToParts) per day, asked on every read of a day's figures: kept per
  // zone and day. Fresh Dates each time, so no caller can change another's.
  const key = `${timeZone}|${day}`;
  let bounds = dayBounds.get(key);
  if (!bounds) {
    const parsed = parseDay(day);
    if (!parsed) throw new RangeError(`"${day}" is not a calendar date in the form YYYY-MM-DD`);
    bounds = {
      start: zonedInstant(parsed.year, parsed.month, parsed.day, 0, 0, 0, timeZone).getTime(),
      end: zonedInstant(parsed.year, parsed.month, parsed.day + 1, 0, 0, 0, timeZone).getTime(),
    };
    if (dayBounds.size >= DAY_BOUNDS_KEPT) dayBounds.clear();
    dayBounds.set(key, bounds);
  }
  return { day, start: new Date(bounds.start), end: new Date(bounds.end) };
}

const DAY_BOUNDS_KEPT = 4096;
const dayBounds = new Map<string, { start: number; end: number }>();

/** The local day containing `now`. */
export function today(now: Date | number, timeZone: string): LocalDay {
  return localDay(localDate(now, timeZone), timeZone);
}

/** The instant when the zone's wall clock shows `day` at `hour`:00 (hour 24: the next midnight). */
export function dayHourInstant(day: string, hour: number, timeZone: string): Date {
  const parsed = parseDay(day);
  if (!parsed) throw new RangeError(`"${day}" is not a calendar date in the form YYYY-MM-DD`);
  return zonedInstant(parsed.year, parsed.month, parsed.day, hour, 0, 0, timeZone);
}

/** "2020-02-07T08:00:00+08:00": an instant written in the zone's local time, as the API takes it. */
export function toZonedIso(instant: Date | number, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  const offsetMin = Math.round(zoneOffsetMs(instant, timeZone) / MINUTE_MS);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The instant a zone-local "YYYY-MM-DDTHH:MM[:SS]" denotes, or null when it is malformed. */
export function fromZonedLocal(value: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m || !parseDay(`${m[1]}-${m[2]}-${m[3]}`) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59) return null;
  return zonedInstant(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0), timeZone);
}

/** The last full local hour before `now`: at 09:17 → 08:00–09:00. */
export function lastFullHour(now: Date | number, timeZone: string): { start: Date; end: Date } {
  const ms = typeof now === 'number' ? now : now.getTime();
  const w = wallClock(ms, timeZone);
  const end = ms - (w.minute * 60 + w.second) * 1000 - (ms % 1000);
  return { start: new Date(end - HOUR_MS), end: new Date(end) };
}

/** The first day of the response (the general office cancelled leave on 27 January 2020): running totals and response curves start here. */
export const RESPONSE_FIRST_DAY = '2020-01-27';
/** Days a daily response curve shows at most (the last ones up to its day), on the wall and in the briefing. */
export const CURVE_MAX_DAYS = 62;
