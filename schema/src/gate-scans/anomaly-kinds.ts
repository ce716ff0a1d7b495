// What is wrong with a gate scan, defined once: the `gateScanAnomalies` query (anomalies.ts) lists
// these, and the gate alert rules (anomaly-alerts.ts) raise alerts from the same statements. A flagged
// scan's anomaly follows from the verdict the server gave it (scans.ts); a pass scanned unusually often
// is one pass's scans at one gate within a window of the local day.
import { type $Enums, Prisma } from '@fangkong/prisma';
import { instant } from '../core/sql.ts';

export type GateScanAnomalyKind = 'SUSPENDED_PASS_USED' | 'REVOKED_PASS_USED' | 'OTHER_COMPOUND' | 'UNKNOWN_CODE' | 'FREQUENT_PASS';

/** The anomaly each flagged verdict is. */
export const ANOMALY_OF_VERDICT: Record<Exclude<$Enums.GateScanVerdict, 'VALID'>, GateScanAnomalyKind> = {
  SUSPENDED: 'SUSPENDED_PASS_USED',
  REVOKED: 'REVOKED_PASS_USED',
  OTHER_COMPOUND: 'OTHER_COMPOUND',
  UNKNOWN: 'UNKNOWN_CODE',
};

export const ANOMALY_DESCRIPTIONS: Record<GateScanAnomalyKind, string> = {
  SUSPENDED_PASS_USED: 'A suspended pass was scanned (by staff, or its holder under home isolation).',
  REVOKED_PASS_USED: 'A revoked pass was scanned.',
  OTHER_COMPOUND: 'A pass was scanned at the gate of another compound.',
  UNKNOWN_CODE: 'A code that names no pass (malformed, tampered, or signed with another key).',
  FREQUENT_PASS: 'One pass scanned unusually often at one gate within one window of the local day: `frequentPerHour` times in a local hour for the query, `minScans` times in `windowMinutes` for the alert rule.',
};

/** What the gate alert rules say, in both languages: the anomaly, never the holder. */
export const ANOMALY_WORDS: Record<GateScanAnomalyKind, { zh: string; en: string }> = {
  SUSPENDED_PASS_USED: { zh: '停用的通行证被扫描', en: 'a suspended pass was scanned' },
  REVOKED_PASS_USED: { zh: '已注销的通行证被扫描', en: 'a revoked pass was scanned' },
  OTHER_COMPOUND: { zh: '其他小区的通行证被扫描', en: 'a pass of another compound was scanned' },
  UNKNOWN_CODE: { zh: '无效二维码被扫描', en: 'a code that names no pass was scanned' },
  FREQUENT_PASS: { zh: '同一通行证扫描过于频繁', en: 'one pass was scanned unusually often' },
};

/** The alert rule kinds of gate scanning (alerts/alerts.ts describes them with these). */
export const GATE_RULE_KIND_DESCRIPTIONS = {
  GATE_SUSPENDED_PASS: 'A suspended pass (its holder under home isolation, or suspended by staff) scanned at a gate; with includeRevoked, a revoked one too. Parameters: includeRevoked.',
  GATE_OTHER_COMPOUND: 'A pass scanned at the gate of another compound. Parameters: none ({}).',
  GATE_FREQUENT_PASS: 'One pass scanned at least minScans times at one gate within one window of windowMinutes (windows start at local midnight). Parameters: minScans, windowMinutes.',
} as const satisfies Partial<Record<$Enums.AlertRuleKind, string>>;

/** One anomaly: a flagged scan, or one pass's scans at one gate in one window. */
export interface AnomalyRow {
  kind: GateScanAnomalyKind;
  checkpointId: string;
  /** The scan (flagged scans); null for FREQUENT_PASS. */
  scanId: string | null;
  /** The scan's time, or the window's first scan. */
  at: Date;
  /** The window's start (FREQUENT_PASS); null otherwise. */
  windowStart: Date | null;
  scans: bigint;
  passId: string | null;
  passCompoundId: string | null;
}

/** `FROM` scans `s` with their gate `c`, its area `a` and their pass `p` (if any), for the statements below. */
const FROM = Prisma.sql`"GateScan" s JOIN "Checkpoint" c ON c.id = s."checkpointId" JOIN "Area" a ON a.id = c."areaId" LEFT JOIN "GatePass" p ON p.id = s."passId"`;

const kindOfVerdict = Prisma.raw(`CASE s.verdict ${Object.entries(ANOMALY_OF_VERDICT).map(([verdict, kind]) => `WHEN '${verdict}' THEN '${kind}'`).join(' ')} END`);

/** Flagged scans matching `where` (over s, c, a, p), as anomalies. */
export function flaggedScans(where: Prisma.Sql, verdicts: readonly $Enums.GateScanVerdict[] = Object.keys(ANOMALY_OF_VERDICT) as $Enums.GateScanVerdict[]) {
  return Prisma.sql`
    SELECT ${kindOfVerdict} AS kind, s."checkpointId", s.id AS "scanId", s."scannedAt" AS at, NULL::timestamptz AS "windowStart",
      1::bigint AS scans, s."passId", p."compoundId" AS "passCompoundId"
    FROM ${FROM}
    WHERE s.verdict::text = ANY(${[...verdicts]}::text[]) AND ${where}`;
}

/**
 * Passes scanned at least `minScans` times at one gate within one window of `windowMinutes` (windows
 * of the local day), among scans matching `where`; with `touching`, only windows holding one of
 * those scans (a batch just stored).
 */
export function frequentPasses(where: Prisma.Sql, { timeZone, minScans, windowMinutes, touching }: { timeZone: string; minScans: number; windowMinutes: number; touching?: readonly string[] }) {
  const window = Prisma.sql`(date_bin(${`${windowMinutes} minutes`}::interval, s."scannedAt" AT TIME ZONE ${timeZone}, timestamp '2000-01-01') AT TIME ZONE ${timeZone})`;
  return Prisma.sql`
    SELECT 'FREQUENT_PASS' AS kind, w."checkpointId", NULL AS "scanId", w.at, w."windowStart", w.scans, w."passId", w."passCompoundId"
    FROM (
      SELECT s."checkpointId", ${window} AS "windowStart", min(s."scannedAt") AS at, count(*)::bigint AS scans, s."passId", min(p."compoundId") AS "passCompoundId"
        ${touching ? Prisma.sql`, bool_or(s.id = ANY(${[...touching]}::text[])) AS touched` : Prisma.sql`, true AS touched`}
      FROM ${FROM}
      WHERE s."passId" IS NOT NULL AND ${where}
      GROUP BY 1, 2, s."passId"
      HAVING count(*) >= ${minScans}
    ) w
    WHERE w.touched`;
}

/** Scans in [from, to). */
export const scannedBetween = (from: Date, to: Date) => Prisma.sql`s."scannedAt" >= ${instant(from)} AND s."scannedAt" < ${instant(to)}`;
