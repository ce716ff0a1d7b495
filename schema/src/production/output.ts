import type { PrismaClient } from '@fangkong/prisma';
import { textArray, instant } from '../core/sql.ts';

/** Output figures summed over current (not superseded) reports. */
export interface OutputTotals {
  produced: number;
  passedQc: number;
  reports: number;
  simulatedReports: number;
}

export const zeroOutput = (): OutputTotals => ({ produced: 0, passedQc: 0, reports: 0, simulatedReports: 0 });

type OutputRow = { [K in keyof OutputTotals]: bigint | number };

export function toOutput(row: Partial<OutputRow> | undefined): OutputTotals {
  return {
    produced: Number(row?.produced ?? 0),
    passedQc: Number(row?.passedQc ?? 0),
    reports: Number(row?.reports ?? 0),
    simulatedReports: Number(row?.simulatedReports ?? 0),
  };
}

/** Per-line output for reports starting in [start, end); one statement for any number of lines. */
export async function outputByLine(prisma: PrismaClient, lineIds: readonly string[], start: Date, end: Date) {
  return byLine(lineIds, await outputQuery(prisma, lineIds, start, end));
}

/** Rows of outputByLine, unawaited, to run inside a snapshot transaction. */
export function outputQuery(prisma: Pick<PrismaClient, '$queryRaw'>, lineIds: readonly string[], start: Date, end: Date) {
  return prisma.$queryRaw<(OutputRow & { lineId: string })[]>`
    SELECT o."lineId",
      COALESCE(SUM(o.produced), 0)::bigint AS produced,
      COALESCE(SUM(o."passedQc"), 0)::bigint AS "passedQc",
      COUNT(o.id)::bigint AS reports,
      COUNT(o.id) FILTER (WHERE o.source = 'SIMULATED')::bigint AS "simulatedReports"
    FROM "OutputReport" o
    WHERE o."supersededAt" IS NULL
      AND o."lineId" = ANY(${textArray(lineIds)})
      AND o."periodStart" >= ${instant(start)} AND o."periodStart" < ${instant(end)}
    GROUP BY o."lineId"`;
}

export function byLine(lineIds: readonly string[], rows: (OutputRow & { lineId: string })[]): OutputTotals[] {
  const byId = new Map(rows.map((row) => [row.lineId, toOutput(row)]));
  return lineIds.map((id) => byId.get(id) ?? zeroOutput());
}
