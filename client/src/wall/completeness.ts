// The wall's "who has reported this hour": from today's reporting completeness (the server's
// subscription), the sites whose latest expected period ended within the last hour, and of them
// those whose report for it has not come. Pure functions, tested beside this file.

export interface WallSiteCompleteness {
  kind: 'CHECKPOINT' | 'PRODUCTION_LINE';
  slug: string;
  name: string;
  nameEn: string;
  latest: { start: string; end: string; received: boolean } | null;
}

export interface ReportedThisHour {
  /** Sites with a period that fell due in the last hour. */
  due: number;
  /** Of them, those whose report for it came. */
  reported: number;
  /** The others, checkpoints first, in name order. */
  missing: WallSiteCompleteness[];
}

const HOUR_MS = 3_600_000;

/** Sites whose latest period ended within the hour before `nowMs`, and which of them reported it. */
export function reportedThisHour(sites: readonly WallSiteCompleteness[], nowMs: number): ReportedThisHour {
  const due = sites.filter((s) => s.latest && nowMs - Date.parse(s.latest.end) < HOUR_MS);
  const missing = due
    .filter((s) => !s.latest!.received)
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name, 'zh'));
  return { due: due.length, reported: due.length - missing.length, missing };
}
