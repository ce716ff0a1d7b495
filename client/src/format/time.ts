import type { Lang } from '../i18n/messages.ts';

/** The zone's time zone (the server says so too: ZoneSummary.timeZone). */
export const ZONE_TIME_ZONE = 'Asia/Shanghai';

const HOUR = 3_600_000;

// A handful of formatters, one per time zone and style; created once and reused every second.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(locale: string, timeZone: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    if (formatters.size > 32) formatters.clear();
    f = new Intl.DateTimeFormat(locale, { timeZone, ...options });
    formatters.set(key, f);
  }
  return f;
}

export interface ZonedParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Wall-clock fields of an instant in a time zone. */
export function zonedParts(ms: number, timeZone: string): ZonedParts {
  const parts = formatter('en-US', timeZone, {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    hourCycle: 'h23',
  }).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute'), second: get('second') };
}

/** The zone's UTC offset at an instant, in ms (Asia/Shanghai: +8 h). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const p = zonedParts(ms, timeZone);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** "15:04:05" in the zone. */
export function formatClock(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}

/** "15:04" in the zone. */
export function formatHourMinute(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/** "2020年2月9日 星期日" or "Sun, 9 Feb 2020". */
export function formatLongDate(ms: number, timeZone: string, lang: Lang): string {
  if (lang === 'zh') {
    const p = zonedParts(ms, timeZone);
    const weekday = formatter('zh-CN', timeZone, { weekday: 'long' }).format(ms);
    return `${p.year}年${p.month}月${p.day}日 ${weekday}`;
  }
  return formatter('en-GB', timeZone, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(ms);
}

/** "2020-02-07T08:00:00+08:00": an instant written in the zone's local time, as the API takes it. */
export function toZonedIso(ms: number, timeZone: string): string {
  const p = zonedParts(ms, timeZone);
  const offsetMin = Math.round(zoneOffsetMs(ms, timeZone) / 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** "2020-02-07T08:00", the value of an <input type="datetime-local"> showing the zone's time. */
export function toZonedInputValue(ms: number, timeZone: string): string {
  return toZonedIso(ms, timeZone).slice(0, 16);
}

/**
 * The instant a zone-local "YYYY-MM-DDTHH:MM" denotes (null when malformed). The offset is looked
 * up twice so a value next to an offset change resolves to the offset in force at that time.
 */
export function fromZonedInputValue(value: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m;
  const asUtc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0));
  if (Number.isNaN(asUtc)) return null;
  let guess = asUtc - zoneOffsetMs(asUtc, timeZone);
  guess = asUtc - zoneOffsetMs(guess, timeZone);
  return guess;
}

/** The last full local hour before `nowMs`: e.g. at 09:17 → 08:00–09:00. */
export function lastFullHour(nowMs: number, timeZone: string): { start: number; end: number } {
  const p = zonedParts(nowMs, timeZone);
  const end = nowMs - (p.minute * 60 + p.second) * 1000 - (nowMs % 1000);
  return { start: end - HOUR, end };
}

/** The local hour (0–23) of an instant in the zone. */
export function localHour(ms: number, timeZone: string): number {
  return zonedParts(ms, timeZone).hour;
}

/** "2020-02-07" → "2020-02-06". */
export function previousDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const prev = new Date(Date.UTC(y, m - 1, d - 1));
  return prev.toISOString().slice(0, 10);
}

/** Local 00:00 of a day in the zone, as an instant (ms). */
export function zonedMidnight(day: string, timeZone: string): number {
  return fromZonedInputValue(`${day}T00:00`, timeZone) ?? Date.parse(`${day}T00:00:00Z`);
}
