// The gate's figures counted by themselves: every local hour of a compound gate's scans becomes that
// gate's CheckpointReport with source GATE_SCAN, written once the hour is over (the wall's totals,
// day approvals and completeness take it as any report), and corrected when scans of that hour arrive
// later (a phone back online). A scan is counted when its hour's report is written (`rolledUp`), so
// each scan is in exactly one current report: the settler reads only scans not yet counted, and recounts
// the whole hour from the scans when it writes, under a lock on the gate, so two instances settling at
// once write one version.
//
// Figures: people screened = VALID scans inward; fever cases = those at ≥ 37.3 °C. Flagged scans are
// not counted (gateScanAnomalies lists them). A manual report already covering the hour keeps it: the
// scans stay uncounted there, and the hour is left to the operator.
import { type CheckpointReport, Prisma } from '@fangkong/prisma';
import { HOUR_MS, today, zeroCheckpointCounts } from '@fangkong/zone';
import { builder } from '../core/builder.ts';
import { commitChange } from '../core/changes.ts';
import type { Context } from '../core/context.ts';
import { submission } from '../core/idempotency.ts';
import type { OutboxEvent } from '../core/live.ts';
import { asOfFields, CLOCK_REFRESH_MS, liveFeed, minIntervalArg, pacing, snapshot } from '../core/live-values.ts';
import { instant } from '../core/sql.ts';
import { DayLockedError } from '../core/write-errors.ts';
import { CheckpointRef } from '../checkpoints/checkpoints.ts';
import { reportChange } from '../checkpoints/reporting.ts';
import { FEVER_FROM_CELSIUS, scanFigureColumns, scanHour } from './scan-figures.ts';

/** Who the derived reports are by, in reports, audit entries and events. */
export const GATE_SCAN_ACTOR = 'gate-scans:settler';

interface Period {
  checkpointId: string;
  start: Date;
}

/** Hours (local) of scans not yet counted that are over, oldest first. */
async function pendingPeriods(ctx: Context, checkpointId: string | undefined, limit: number): Promise<Period[]> {
  const tz = ctx.timeZone;
  const hourStart = scanHour(tz);
  const rows = await ctx.prisma.$queryRaw<{ checkpointId: string; start: Date }[]>`
    SELECT p."checkpointId", p.start FROM (
      SELECT DISTINCT s."checkpointId", ${hourStart} AS start
      FROM "GateScan" s
      WHERE NOT s."rolledUp" ${checkpointId ? Prisma.sql`AND s."checkpointId" = ${checkpointId}` : Prisma.empty}
    ) p
    WHERE p.start + interval '1 hour' <= ${instant(ctx.now())}
    ORDER BY p.start, p."checkpointId"
    LIMIT ${limit}`;
  return rows.map((r) => ({ checkpointId: r.checkpointId, start: new Date(r.start) }));
}

type Settled = 'reported' | 'corrected' | 'unchanged' | 'manual' | 'locked';

/** Writes (or corrects) one hour's GATE_SCAN report from its scans: one transaction with its audit entry and event. */
async function settlePeriod(ctx: Context, { checkpointId, start }: Period): Promise<Settled> {
  const end = new Date(start.getTime() + HOUR_MS);
  try {
    return await commitChange<Settled>(ctx, async (tx) => {
      // One settler per gate at a time, on every instance.
      await tx.$queryRaw`SELECT id FROM "Checkpoint" WHERE id = ${checkpointId} FOR UPDATE`;
      // Marks the hour's scans counted and counts them in one statement: a scan stored meanwhile is
      // either in both (marked and counted) or in neither (left for the next turn), never in one only.
      const [row] = await tx.$queryRaw<{ peopleScreened: bigint; feverCases: bigint }[]>`
        WITH marked AS (
          UPDATE "GateScan" SET "rolledUp" = true
          WHERE "checkpointId" = ${checkpointId} AND "scannedAt" >= ${instant(start)} AND "scannedAt" < ${instant(end)} AND NOT "rolledUp"
          RETURNING verdict, direction, temperature
        ), s AS (
          SELECT verdict, direction, temperature FROM "GateScan"
          WHERE "checkpointId" = ${checkpointId} AND "scannedAt" >= ${instant(start)} AND "scannedAt" < ${instant(end)} AND "rolledUp"
          UNION ALL
          SELECT verdict, direction, temperature FROM marked
        )
        SELECT ${scanFigureColumns} FROM s`;
      const counts = { ...zeroCheckpointCounts(), peopleScreened: Number(row?.peopleScreened ?? 0), feverCases: Number(row?.feverCases ?? 0) };
      const current = await tx.checkpointReport.findFirst({
        where: { checkpointId, supersededAt: null, periodStart: { lt: end }, periodEnd: { gt: start } },
        orderBy: { periodStart: 'asc' },
      });
      if (current && (current.source !== 'GATE_SCAN' || current.periodStart.getTime() !== start.getTime())) return { value: 'manual', change: null };
      if (current && current.peopleScreened === counts.peopleScreened && current.feverCases === counts.feverCases) return { value: 'unchanged', change: null };
      const base = `gate-scan:${checkpointId}:${start.toISOString()}`;
      const version = current ? (await tx.checkpointReport.count({ where: { checkpointId, periodStart: start, source: 'GATE_SCAN' } })) + 1 : 1;
      const key = submission(version === 1 ? base : `${base}:v${version}`, { checkpointId, periodStart: start.toISOString(), ...counts });
      if (current) await tx.checkpointReport.update({ where: { id: current.id }, data: { supersededAt: ctx.now() } });
      const report: CheckpointReport = await tx.checkpointReport.create({
        data: {
          checkpointId,
          periodStart: start,
          periodEnd: end,
          ...counts,
          source: 'GATE_SCAN',
          reportedBy: GATE_SCAN_ACTOR,
          idempotencyKey: key.idempotencyKey,
          payloadHash: key.payloadHash,
          supersedesId: current?.id ?? null,
          correctionReason: current ? `gate scans of the hour arrived after it was counted (${current.peopleScreened} → ${counts.peopleScreened} screened)` : null,
        },
      });
      return current
        ? { value: 'corrected', change: reportChange('checkpointReport:corrected', report, current) }
        : { value: 'reported', change: reportChange('checkpointReport:reported', report) };
    });
  } catch (error) {
    // An approved day takes no report: its scans wait, uncounted, until the day is reopened.
    if (error instanceof DayLockedError) return 'locked';
    throw error;
  }
}

/**
 * Counts every hour that is over and has scans not yet counted (of one gate, or all): called after each
 * upload and on the server's timer. Returns what it did per hour.
 */
export async function settleGateCounts(ctx: Context, { checkpointId, limit = 200 }: { checkpointId?: string; limit?: number } = {}): Promise<Settled[]> {
  const settled: Settled[] = [];
  for (const period of await pendingPeriods(ctx, checkpointId, limit)) settled.push(await settlePeriod(ctx, period));
  return settled;
}

interface GateCounts {
  checkpointId: string;
  day: string;
  in: number;
  out: number;
  counted: number;
  fever: number;
  flagged: number;
  suspended: number;
  revoked: number;
  otherCompound: number;
  unknown: number;
  /** Scans of hours not yet counted into a report (the hour running, or being settled). */
  notYetReported: number;
  asOf: Date;
  asOfSeq: bigint;
}

const GateScanCountsRef = builder.objectRef<GateCounts>('GateScanCounts').implement({
  description: "One gate's scans of a local day, counted (no personal data).",
  fields: (t) => ({
    day: t.exposeString('day', { description: 'The local day, YYYY-MM-DD.' }),
    in: t.exposeInt('in', { description: 'Scans inward, whatever their verdict.' }),
    out: t.exposeInt('out', { description: 'Scans outward, whatever their verdict.' }),
    counted: t.exposeInt('counted', { description: 'VALID scans inward: the people screened of the GATE_SCAN reports.' }),
    fever: t.exposeInt('fever', { description: `Of those, at ${FEVER_FROM_CELSIUS} °C or more.` }),
    flagged: t.exposeInt('flagged', { description: 'Scans not counted: suspended, revoked, other compound or unknown.' }),
    suspended: t.exposeInt('suspended', { description: 'Scans of suspended passes.' }),
    revoked: t.exposeInt('revoked', { description: 'Scans of revoked passes.' }),
    otherCompound: t.exposeInt('otherCompound', { description: 'Scans of passes of another compound.' }),
    unknown: t.exposeInt('unknown', { description: 'Scans of codes that name no pass.' }),
    notYetReported: t.exposeInt('notYetReported', { description: 'Scans of hours not yet counted into a GATE_SCAN report (the hour running).' }),
    ...asOfFields(t),
  }),
});

function gateCountsQuery(ctx: Context, checkpointId: string, start: Date, end: Date) {
  return ctx.prisma.$queryRaw<Record<string, bigint>[]>`
    SELECT count(*) FILTER (WHERE direction = 'IN') AS "in",
           count(*) FILTER (WHERE direction = 'OUT') AS "out",
           ${scanFigureColumns},
           count(*) FILTER (WHERE verdict <> 'VALID') AS flagged,
           count(*) FILTER (WHERE verdict = 'SUSPENDED') AS suspended,
           count(*) FILTER (WHERE verdict = 'REVOKED') AS revoked,
           count(*) FILTER (WHERE verdict = 'OTHER_COMPOUND') AS "otherCompound",
           count(*) FILTER (WHERE verdict = 'UNKNOWN') AS unknown,
           count(*) FILTER (WHERE NOT "rolledUp") AS "notYetReported"
    FROM "GateScan" s WHERE "checkpointId" = ${checkpointId} AND "scannedAt" >= ${instant(start)} AND "scannedAt" < ${instant(end)}`;
}

async function gateCounts(ctx: Context, checkpointId: string): Promise<GateCounts> {
  const day = today(ctx.now(), ctx.timeZone);
  const { asOf, asOfSeq, values } = await snapshot(ctx, [gateCountsQuery(ctx, checkpointId, day.start, day.end)]);
  const { peopleScreened, feverCases, ...row } = Object.fromEntries(Object.entries(values[0][0] ?? {}).map(([k, v]) => [k, Number(v)]));
  const rest = row as Omit<GateCounts, 'checkpointId' | 'day' | 'asOf' | 'asOfSeq' | 'counted' | 'fever'>;
  return { checkpointId, day: day.day, ...rest, counted: peopleScreened ?? 0, fever: feverCases ?? 0, asOf, asOfSeq };
}

/** Gate counts are figures: everyone who reads aggregates, and the gate's own operators. */
const mayCount = (checkpointId: string) => ({ aggregates: true, operates: checkpointId });

const isGateEvent = (id: string) => (e: OutboxEvent) =>
  (e.type === 'gateScans:recorded' || e.type.startsWith('checkpointReport:')) && e.payload.checkpointId === id;

builder.queryFields((t) => ({
  gateScanCounts: t.field({
    authScopes: (_root, args) => mayCount(args.checkpointId.id),
    type: GateScanCountsRef,
    description: "Today's scans at a compound gate, counted.",
    args: { checkpointId: t.arg.globalID({ for: CheckpointRef, required: true, description: 'The gate.' }) },
    resolve: (_root, args, ctx) => gateCounts(ctx, args.checkpointId.id),
  }),
}));

builder.subscriptionFields((t) => ({
  gateScanCounts: t.field({
    authScopes: (_root, args) => mayCount(args.checkpointId.id),
    type: GateScanCountsRef,
    description: "Today's scans at a compound gate, counted: a snapshot, then a value after each uploaded batch and each report of the gate.",
    args: { checkpointId: t.arg.globalID({ for: CheckpointRef, required: true, description: 'The gate.' }), minIntervalMs: minIntervalArg(t.arg) },
    subscribe: (_root, args, ctx) => {
      const id = args.checkpointId.id;
      const minIntervalMs = pacing(args.minIntervalMs);
      return liveFeed(ctx).watch<GateCounts>(`gateScanCounts:${id}`, { minIntervalMs, relevant: isGateEvent(id), refreshMs: CLOCK_REFRESH_MS, compute: () => gateCounts(ctx, id) });
    },
    resolve: (value) => value,
  }),
}));
