// Showing instants in the zone's time. The arithmetic (local days and hours, offsets, parsing) is
// @fangkong/zone's, shared with the server and the simulator; this file only formats.
import { localClock, toZonedIso, wallClock } from '@fangkong/zone';
import type { Lang } from '../i18n/messages.ts';

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

const pad = (n: number) => String(n).padStart(2, '0');

/** "15:04:05" in the zone. */
export function formatClock(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
}

/** "15:04" in the zone. */
export const formatHourMinute = (ms: number, timeZone: string): string => localClock(ms, timeZone);

/** "2020年2月9日 星期日" or "Sun, 9 Feb 2020". */
export function formatLongDate(ms: number, timeZone: string, lang: Lang): string {
  if (lang === 'zh') {
    const w = wallClock(ms, timeZone);
    const weekday = formatter('zh-CN', timeZone, { weekday: 'long' }).format(ms);
    return `${w.year}年${w.month}月${w.day}日 ${weekday}`;
  }
  return formatter('en-GB', timeZone, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' }).format(ms);
}

/** "2020-02-07T08:00", the value of an <input type="datetime-local"> showing the zone's time. */
export function toZonedInputValue(ms: number, timeZone: string): string {
  return toZonedIso(ms, timeZone).slice(0, 16);
}
