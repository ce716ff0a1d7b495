import { Prisma, type PrismaClient } from '@fangkong/prisma';
import { CHECKPOINT_FIGURE_NAMES, zeroCheckpointCounts, type CheckpointCounts as Figures } from '@fangkong/zone';
import { textArray } from '../core/sql.ts';
import { currentReports } from '../gate-scans/scan-figures.ts';

/** The six figures a checkpoint reports, summed over current (not superseded) reports, and how many reports there were. */
export type CheckpointCounts = Figures & { reports: number; simulatedReports: number };

export const zeroCounts = (): CheckpointCounts => ({ ...zeroCheckpointCounts(), reports: 0, simulatedReports: 0 });

/** The SELECT list summing counts of reports aliased `r`; shared by every checkpoint aggregate. */
export const countColumns = Prisma.sql`
  ${Prisma.raw(CHECKPOINT_FIGURE_NAMES.map((name) => `COALESCE(SUM(r."${name}"), 0)::bigint AS "${name}"`).join(',\n  '))},
  COUNT(r.id)::bigint AS "reports",
  COUNT(r.id) FILTER (WHERE r.source = 'SIMULATED')::bigint AS "simulatedReports"`;

type CountRow = { [K in keyof CheckpointCounts]: bigint | number };

export function toCounts(row: Partial<CountRow> | undefined): CheckpointCounts {
  const counts = zeroCounts();
  if (!row) return counts;
  for (const key of Object.keys(counts) as (keyof CheckpointCounts)[]) counts[key] = Number(row[key] ?? 0);
  return counts;
}

/**
 * Per-checkpoint counts for reports starting in [start, end), with a gate's scans not yet counted
 * into a report (gate-scans/scan-figures.ts). One statement for any number of checkpoints.
 */
export async function countsByCheckpoint(prisma: PrismaClient, checkpointIds: readonly string[], start: Date, end: Date, timeZone: string) {
  return byCheckpoint(checkpointIds, await countsQuery(prisma, checkpointIds, start, end, timeZone));
}

/** Rows of countsByCheckpoint, unawaited, to run inside a snapshot transaction. */
export function countsQuery(prisma: Pick<PrismaClient, '$queryRaw'>, checkpointIds: readonly string[], start: Date, end: Date, timeZone: string) {
  return prisma.$queryRaw<(CountRow & { checkpointId: string })[]>`
    SELECT r."checkpointId", ${countColumns}
    FROM ${currentReports(start, end, timeZone, textArray(checkpointIds))} r
    GROUP BY r."checkpointId"`;
}

export function byCheckpoint(checkpointIds: readonly string[], rows: (CountRow & { checkpointId: string })[]): CheckpointCounts[] {
  const byId = new Map(rows.map((row) => [row.checkpointId, toCounts(row)]));
  return checkpointIds.map((id) => byId.get(id) ?? zeroCounts());
}

/** End of the latest current report per checkpoint, null where none. */
export async function lastReportByCheckpoint(prisma: PrismaClient, checkpointIds: readonly string[]) {
  return lastReportsOf(checkpointIds, await lastReportQuery(prisma, checkpointIds));
}

export function lastReportQuery(prisma: PrismaClient, checkpointIds: readonly string[]) {
  // One index probe per checkpoint ("checkpointId", "periodEnd" DESC), not a scan of its history.
  return prisma.$queryRaw<{ checkpointId: string; lastReportAt: Date }[]>`
    SELECT c.id AS "checkpointId", r."periodEnd" AS "lastReportAt"
    FROM unnest(${textArray(checkpointIds)}) AS c(id)
    CROSS JOIN LATERAL (
      SELECT r."periodEnd" FROM "CheckpointReport" r
      WHERE r."checkpointId" = c.id AND r."supersededAt" IS NULL
      ORDER BY r."periodEnd" DESC
      LIMIT 1
    ) r`;
}

/**
 * Counts on one day and the latest report, per checkpoint, in one statement: what a page asking a
 * site's today and its lastReportAt (or isStale) would otherwise read in two. Every id answers a
 * row; `lastReportAt` is null where the site never reported.
 */
export function countsAndLastReportQuery(prisma: PrismaClient, checkpointIds: readonly string[], start: Date, end: Date, timeZone: string) {
  const ids = textArray(checkpointIds);
  return prisma.$queryRaw<(CountRow & { checkpointId: string; lastReportAt: Date | null })[]>`
    SELECT c.id AS "checkpointId", l."periodEnd" AS "lastReportAt", ${countColumns}
    FROM unnest(${ids}) AS c(id)
    LEFT JOIN LATERAL (
      SELECT r."periodEnd" FROM "CheckpointReport" r
      WHERE r."checkpointId" = c.id AND r."supersededAt" IS NULL
      ORDER BY r."periodEnd" DESC
      LIMIT 1
    ) l ON true
    LEFT JOIN ${currentReports(start, end, timeZone, ids)} r ON r."checkpointId" = c.id
    GROUP BY c.id, l."periodEnd"`;
}

export function lastReportsOf(checkpointIds: readonly string[], rows: { checkpointId: string; lastReportAt: Date }[]): (Date | null)[] {
  const byId = new Map(rows.map((row) => [row.checkpointId, new Date(row.lastReportAt)]));
  return checkpointIds.map((id) => byId.get(id) ?? null);
}
