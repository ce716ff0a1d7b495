// What a gate's scans count for in its figures, written once: the settler counts an hour's scans with
// it into the GATE_SCAN report, and every reader of today's figures adds the scans not yet counted
// with it (`provisionalReports`), so the wall moves with each upload and not only once an hour is over.
//
// One snapshot reads an hour either as scans not yet counted or as its report, never both or neither:
// the settler marks the hour's scans counted (`rolledUp`) and writes the report in one transaction,
// and a reader reads both in one statement (or one REPEATABLE READ snapshot).
import { Prisma } from '@fangkong/prisma';
import { CHECKPOINT_FIGURE_NAMES } from '@fangkong/zone';
import { instant } from '../core/sql.ts';

/** The temperature from which a scan counts as a fever case (as the isolation-fever alert's default). */
export const FEVER_FROM_CELSIUS = 37.3;

/** The figures a set of scans (aliased `s`) counts for: people screened = VALID scans inward; fever cases = those at ≥ 37.3 °C. */
export const scanFigureColumns = Prisma.sql`
  count(*) FILTER (WHERE s.verdict = 'VALID' AND s.direction = 'IN')::bigint AS "peopleScreened",
  count(*) FILTER (WHERE s.verdict = 'VALID' AND s.direction = 'IN' AND s.temperature >= ${FEVER_FROM_CELSIUS})::bigint AS "feverCases"`;

/** Figures a scan never gives (a gate scans people; vehicles and referrals are reported by hand). */
const NOT_FROM_SCANS = CHECKPOINT_FIGURE_NAMES.filter((name) => name !== 'peopleScreened' && name !== 'feverCases');

/** The local hour a scan (aliased `s`) falls in, as an instant. */
export const scanHour = (timeZone: string) => Prisma.sql`(date_trunc('hour', s."scannedAt" AT TIME ZONE ${timeZone}) AT TIME ZONE ${timeZone})`;

/**
 * The current reports of periods starting in [start, end), as rows shaped like "CheckpointReport"
 * (id, checkpointId, periodStart, source and the six figures), with each gate hour's scans not yet
 * counted as one more row (uncountedScans): id NULL (it is not a report, and `reports` does not count
 * it), source GATE_SCAN.
 */
export function currentReports(start: Date, end: Date, timeZone: string, checkpointIds?: Prisma.Sql): Prisma.Sql {
  const onlyReports = checkpointIds ? Prisma.sql`AND r."checkpointId" = ANY(${checkpointIds})` : Prisma.empty;
  const figures = Prisma.raw(CHECKPOINT_FIGURE_NAMES.map((name) => `r."${name}"`).join(', '));
  return Prisma.sql`(
    SELECT r.id, r."checkpointId", r."periodStart", r.source::text AS source, ${figures}
    FROM "CheckpointReport" r
    WHERE r."supersededAt" IS NULL AND r."periodStart" >= ${instant(start)} AND r."periodStart" < ${instant(end)} ${onlyReports}
    UNION ALL
    SELECT NULL, p."checkpointId", p."periodStart", 'GATE_SCAN', ${Prisma.raw(CHECKPOINT_FIGURE_NAMES.map((name) => `p."${name}"`).join(', '))}
    FROM ${uncountedScans(start, end, timeZone, checkpointIds)} p
  )`;
}

/**
 * Each gate hour in [start, end) whose scans are not yet counted into a report, as a row of
 * (checkpointId, periodStart: the hour, the six figures). Scans of an hour a manual report covers,
 * or of a day approved (locked) for the gate's area, are left out, as the settler leaves them.
 */
export function uncountedScans(start: Date, end: Date, timeZone: string, checkpointIds?: Prisma.Sql): Prisma.Sql {
  const onlyScans = checkpointIds ? Prisma.sql`AND s."checkpointId" = ANY(${checkpointIds})` : Prisma.empty;
  const zeros = Prisma.raw(NOT_FROM_SCANS.map((name) => `0::bigint AS "${name}"`).join(', '));
  const hour = scanHour(timeZone);
  return Prisma.sql`(
    SELECT p.* FROM (
      SELECT s."checkpointId", ${hour} AS "periodStart", ${scanFigureColumns}, ${zeros}
      FROM "GateScan" s
      WHERE NOT s."rolledUp" AND s."scannedAt" >= ${instant(start)} AND s."scannedAt" < ${instant(end)} ${onlyScans}
      GROUP BY 1, 2
    ) p
    WHERE NOT EXISTS (
      SELECT 1 FROM "CheckpointReport" m
      WHERE m."checkpointId" = p."checkpointId" AND m."supersededAt" IS NULL
        AND m."periodStart" < p."periodStart" + interval '1 hour' AND m."periodEnd" > p."periodStart"
        AND NOT (m.source = 'GATE_SCAN' AND m."periodStart" = p."periodStart")
    ) AND NOT EXISTS (
      -- A day approved for an area holding the gate takes no report (its late scans wait, uncounted, until
      -- it is reopened), so its figures do not move with them either.
      SELECT 1 FROM "DayApproval" ap JOIN "Area" aa ON aa.id = ap."areaId", "Checkpoint" gc JOIN "Area" ga ON ga.id = gc."areaId"
      WHERE gc.id = p."checkpointId" AND ap."reopenedAt" IS NULL
        AND p."periodStart" >= ap."dayStart" AND p."periodStart" < ap."dayEnd" AND ga.path LIKE aa.path || '%'
    )
  )`;
}
