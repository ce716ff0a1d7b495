// A day's checkpoint figures per site, from the totals the database keeps per local day
// ("CheckpointDayTotal", kept by triggers on "CheckpointReport": see the migration
// checkpoint_day_totals) instead of every report of the day: an area's summary adds one row per site.
import { Prisma, type PrismaClient } from '@fangkong/prisma';
import { CHECKPOINT_FIGURE_NAMES, type LocalDay } from '@fangkong/zone';
import { instant } from '../core/sql.ts';
import { uncountedScans } from '../gate-scans/scan-figures.ts';

const figures = (alias: string) => Prisma.raw(CHECKPOINT_FIGURE_NAMES.map((name) => `${alias}."${name}"`).join(', '));

/**
 * Registers `zone` for day totals and fills its totals from the current reports, once per database
 * (a server calls it when it starts). Writers wait meanwhile (SHARE ROW EXCLUSIVE blocks their inserts
 * and conflicts with itself, so two instances starting together register the zone once): a report
 * committed before is in the fill, one committed after is added by the trigger, never both or neither.
 */
export async function keepDayTotals(prisma: PrismaClient, zone: string): Promise<void> {
  const known = await prisma.$queryRaw<unknown[]>`SELECT 1 FROM "ReportingZone" WHERE name = ${zone}`;
  if (known.length) return;
  await prisma.$transaction(
    async (tx) => {
      await tx.$executeRaw`LOCK TABLE "CheckpointReport" IN SHARE ROW EXCLUSIVE MODE`;
      // Once per zone and database, like a migration: not cut short by the per-statement budget
      // (FANGKONG_STATEMENT_TIMEOUT_MS, 5 s by default) on a database with years of reports.
      await tx.$executeRaw`SET LOCAL statement_timeout = 0`;
      const added = await tx.$executeRaw`INSERT INTO "ReportingZone" (name) VALUES (${zone}) ON CONFLICT DO NOTHING`;
      if (!added) return;
      await tx.$executeRaw`
        INSERT INTO "CheckpointDayTotal" (zone, day, "checkpointId", ${Prisma.raw(CHECKPOINT_FIGURE_NAMES.map((name) => `"${name}"`).join(', '))}, reports, "simulatedReports")
        SELECT ${zone}, (r."periodStart" AT TIME ZONE ${zone})::date, r."checkpointId",
          ${Prisma.raw(CHECKPOINT_FIGURE_NAMES.map((name) => `SUM(r."${name}")`).join(', '))},
          COUNT(*), COUNT(*) FILTER (WHERE r.source = 'SIMULATED')
        FROM "CheckpointReport" r
        WHERE r."supersededAt" IS NULL
        GROUP BY 1, 2, 3`;
    },
    // Filling a zone reads every current report once: longer than an interactive transaction's default.
    { timeout: 600_000, maxWait: 60_000 },
  );
}

/**
 * The figures of `day` (a whole local day of `timeZone`) per checkpoint, as rows (checkpointId, the
 * six figures, reports, simulatedReports) to be summed with dayCountColumns, aliased by the caller:
 * the site's day total, plus a gate's scans not yet counted into a report (uncountedScans). Where the
 * zone is not registered (a server on it has not started yet), the day's current reports themselves:
 * the planner drops whichever branch the one-time ReportingZone test rules out.
 */
export function dayFigures(day: LocalDay, timeZone: string): Prisma.Sql {
  const zoneKept = Prisma.sql`EXISTS (SELECT 1 FROM "ReportingZone" z WHERE z.name = ${timeZone})`;
  return Prisma.sql`(
    SELECT t."checkpointId", ${figures('t')}, t.reports, t."simulatedReports"
    FROM "CheckpointDayTotal" t
    WHERE t.zone = ${timeZone} AND t.day = ${day.day}::date
    UNION ALL
    SELECT r."checkpointId", ${figures('r')}, 1, (r.source = 'SIMULATED')::int
    FROM "CheckpointReport" r
    WHERE NOT ${zoneKept} AND r."supersededAt" IS NULL AND r."periodStart" >= ${instant(day.start)} AND r."periodStart" < ${instant(day.end)}
    UNION ALL
    SELECT s."checkpointId", ${figures('s')}, 0, 0
    FROM ${uncountedScans(day.start, day.end, timeZone)} s
  )`;
}

/** The SELECT list summing rows of dayFigures aliased `r`, shaped as countColumns' (checkpoints/counts.ts). */
export const dayCountColumns = Prisma.sql`
  ${Prisma.raw(CHECKPOINT_FIGURE_NAMES.map((name) => `COALESCE(SUM(r."${name}"), 0)::bigint AS "${name}"`).join(',\n  '))},
  COALESCE(SUM(r.reports), 0)::bigint AS "reports",
  COALESCE(SUM(r."simulatedReports"), 0)::bigint AS "simulatedReports"`;
