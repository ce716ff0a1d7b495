// What an operator is asked to look at again before a report goes out: figures left at zero, and
// figures far above what the site reported lately. Nothing here refuses a report (the rules that do
// are @fangkong/zone's figureIssues, checked on the page and again by the server); it only asks.
import { HOUR_MS, today } from '@fangkong/zone';

export type Figures = Record<string, number>;

export interface RecentReport {
  id: string;
  periodStart: string;
  periodEnd: string;
  figures: Figures;
}

export type Flag =
  | { kind: 'zero'; field: string }
  /** `value` per hour is over UNUSUAL_FACTOR times the highest hourly rate of the site's recent reports (`usual`). */
  | { kind: 'unusual'; field: string; value: number; usual: number };

/** How many times the recent hourly high a figure may be before it is questioned. */
export const UNUSUAL_FACTOR = 3;
/** Recent reports needed before "unusual" means anything. */
export const MIN_RECENT = 3;
/** Below this a figure is never unusual (2 fever cases after a run of zeros is news, not a typo). */
export const UNUSUAL_FLOOR = 10;

/**
 * The flags of a report about to be sent: each figure at 0 (unless the operator already said there is
 * nothing to report), and each figure whose hourly rate is far above the site's recent reports.
 * `exclude`: a report being corrected is not its own comparison.
 */
export function reviewFigures(
  fields: readonly string[],
  figures: Figures,
  period: { periodStart: string; periodEnd: string },
  recent: readonly RecentReport[],
  { nothingToReport = false, exclude }: { nothingToReport?: boolean; exclude?: string } = {},
): Flag[] {
  const flags: Flag[] = [];
  const hours = Math.max((Date.parse(period.periodEnd) - Date.parse(period.periodStart)) / HOUR_MS, 1 / 60);
  const others = recent.filter((r) => r.id !== exclude);
  for (const field of fields) {
    const value = figures[field] ?? 0;
    if (value === 0) {
      if (!nothingToReport) flags.push({ kind: 'zero', field });
      continue;
    }
    if (others.length < MIN_RECENT || value < UNUSUAL_FLOOR) continue;
    const usual = Math.max(...others.map((r) => (r.figures[field] ?? 0) / Math.max((Date.parse(r.periodEnd) - Date.parse(r.periodStart)) / HOUR_MS, 1 / 60)));
    if (value / hours > UNUSUAL_FACTOR * Math.max(usual, 1)) flags.push({ kind: 'unusual', field, value, usual: Math.round(usual) });
  }
  return flags;
}

/** The reports whose period starts on the zone's local day of `nowMs` (the day the server counts them in), newest first. */
export function reportsOfToday<R extends { periodStart: string }>(reports: readonly R[], nowMs: number, timeZone: string): R[] {
  const day = today(nowMs, timeZone);
  return reports
    .filter((r) => {
      const start = Date.parse(r.periodStart);
      return start >= day.start.getTime() && start < day.end.getTime();
    })
    .sort((a, b) => Date.parse(b.periodStart) - Date.parse(a.periodStart));
}

/** The latest period reported (by its end), or null. */
export function lastReported<R extends { periodStart: string; periodEnd: string }>(reports: readonly R[]): R | null {
  let last: R | null = null;
  for (const r of reports) if (!last || Date.parse(r.periodEnd) > Date.parse(last.periodEnd)) last = r;
  return last;
}
