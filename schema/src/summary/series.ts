import { setImmediate } from 'node:timers/promises';
import { Prisma, type PrismaClient } from '@fangkong/prisma';
import { DAY_MS, HOUR_MS, localDate, wallClock, zonedInstant } from '@fangkong/zone';
import { builder, type SchemaTypes } from '../core/builder.ts';
import { CheckpointCountsRef, CheckpointRef } from '../checkpoints/checkpoints.ts';
import { countColumns, toCounts, zeroCounts, type CheckpointCounts } from '../checkpoints/counts.ts';
import { OutputTotalsRef, ProductionLineRef } from '../production/production.ts';
import { ProductRef } from '../supplies/supplies.ts';
import { areaBelow, AreaRef, loadArea } from '../places/places.ts';
import { toOutput, zeroOutput, type OutputTotals } from '../production/output.ts';
import { textArray, instant } from '../core/sql.ts';
import { renamed } from '../core/renamed.ts';
import { bucketCount, checkTimeRange, SeriesBucket } from '../core/time-range.ts';
import { listSize } from '../core/list-size.ts';
import { invalidArgument } from '../core/errors.ts';
import type { Context } from '../core/context.ts';
import { approvalAreas, type Basis, basisArg, basisFor, FiguresBasis } from '../completeness/figures-basis.ts';
import { areaTargets, byAreaArgs, byAreaSize, checkFirstAreas, feverPer10kScreened, qcPassRate, RatioRef } from './area-totals.ts';

// A series is LIVE (the current reports, summed per bucket) or APPROVED (the day's approved totals
// that sign-off.ts stores, summed per bucket). An approval is of a local day: APPROVED series come in
// DAY and WEEK buckets, each counting the whole local days of the window it holds (days overlapping
// [from, to)), and say which of those days have no approved version (their figures are left out,
// never replaced by live ones). Both can be broken down by area (`byArea`), as zoneSummary is.

interface Point<T> {
  start: Date;
  figures: T;
  basis: Basis;
  /** APPROVED: the days of the bucket without an approved version (not counted); LIVE: none. */
  unapprovedDays: string[];
  run: SeriesRun<T>;
}

/** One area's figures in one bucket. */
interface AreaPoint<T> {
  areaId: string;
  figures: T;
  unapprovedDays: string[];
}

/**
 * What a series' points share to answer `byArea`: every point's breakdown for the same arguments is
 * read once for the whole series (one statement per window), and each point takes its bucket's.
 */
interface SeriesRun<T> {
  byArea(level: string | null, first: number): Promise<Map<number, AreaPoint<T>[]>>;
}

/** A figure of the totals an approval stores (sign-off.ts: AreaTotals as JSON), summed over days. */
const storedFigure = (path: Prisma.Sql, name: string) => Prisma.sql`COALESCE(SUM((${path}->>${name})::bigint), 0)::bigint AS ${Prisma.raw(`"${name}"`)}`;

export type Bucket = 'hour' | 'day' | 'week';

/**
 * A statement sums the reports of at most this span. On the embedded database a statement runs on
 * the event loop, and what it costs there is mostly the rows it returns (a 31-day hourly window was
 * 744 rows and up to 200 ms on a loaded machine): a week returns at most 168, in a few milliseconds.
 */
const WINDOW_MS = 7 * DAY_MS;

/** The start of the local bucket holding a timestamp column, as an instant. */
const bucketOf = (column: Prisma.Sql, bucket: Bucket, timeZone: string) => Prisma.sql`date_trunc(${bucket}, ${column} AT TIME ZONE ${timeZone}) AT TIME ZONE ${timeZone}`;

/**
 * The starts of the local-time buckets covering [from, to), in order, computed here rather than by
 * the database, whose rows cost far more to read than to compute. Local hours follow one another an
 * hour apart (offsets and their changes are whole hours in every zone but one); days are looked up.
 */
function bucketStarts(from: Date, to: Date, bucket: Bucket, timeZone: string): Date[] {
  const w = wallClock(from, timeZone);
  const starts: Date[] = [];
  if (bucket === 'hour') {
    for (let at = zonedInstant(w.year, w.month, w.day, w.hour, 0, 0, timeZone).getTime(); at < to.getTime(); at += HOUR_MS) starts.push(new Date(at));
  } else {
    // ISO weeks start on Monday: step back from the first day to its Monday (getUTCDay of the wall date: Sunday 0).
    const back = bucket === 'week' ? (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7 : 0;
    const step = bucket === 'week' ? 7 : 1;
    for (let k = 0, at = zonedInstant(w.year, w.month, w.day - back, 0, 0, 0, timeZone); at < to; at = zonedInstant(w.year, w.month, w.day - back + ++k * step, 0, 0, 0, timeZone)) starts.push(at);
  }
  return starts;
}

/**
 * A chart over [from, to): every bucket present (empty ones are zeros), the figures of reports
 * starting in it summed. The reports are summed per bucket by the database, in one short statement
 * per window of WINDOW_MS (a bucket a window boundary cuts gets both windows' sums), and put in their
 * buckets here: joining every bucket to a range of reports made one 400-day hourly series a
 * 10-second statement. Each statement is an expensive read that waits for its turn (ctx.heavyRead),
 * so a few at once hold a few connections and others are served in between.
 */
/** Points a turn of the event loop completes: each is about a dozen fields of the answer. */
const POINTS_PER_TURN = 100;

/**
 * The points as promises settling POINTS_PER_TURN at a time, one turn of the event loop apart:
 * graphql-js completes a list's items as they settle, so turning thousands of points into the
 * answer's fields is done in short stretches with others served between them, not in one.
 */
function inTurns<T>(points: T[]): Promise<T>[] {
  let turn = Promise.resolve();
  return points.map((point, i) => {
    if (i > 0 && i % POINTS_PER_TURN === 0) turn = turn.then(() => setImmediate());
    return turn.then(() => point);
  });
}

const addFigures = <T extends { [K in keyof T]: number | null }>(into: T, figures: T) => {
  for (const key of Object.keys(figures) as (keyof T)[]) {
    const [a, b] = [into[key], figures[key]];
    into[key] = (a === null || b === null ? null : a + b) as T[keyof T];
  }
};

/** How a series reads its figures: the LIVE sums of reports, or the APPROVED sums of approved days. */
interface SeriesSource<T> {
  zero: () => T;
  /** LIVE: the reports starting in [start, end) summed per bucket; with `targets`, per listed area too. */
  live: (start: Date, end: Date, targets: Prisma.Sql | null) => Promise<{ bucket_start: Date; areaId?: string; figures: T }[]>;
  /** APPROVED: the SQL list summing the stored figures of approvals aliased `d` (`totals`). */
  stored: Prisma.Sql;
  toFigures: (row: Record<string, bigint | number>) => T;
}

/** The local days overlapping [from, to) (YYYY-MM-DD), each with the start of the bucket holding it. */
function daysOf(from: Date, to: Date, bucket: Bucket, timeZone: string): { day: string; bucket: number }[] {
  const buckets = bucketStarts(from, to, bucket, timeZone).map((start) => start.getTime());
  let b = 0;
  return bucketStarts(from, to, 'day', timeZone).map((start) => {
    while (b + 1 < buckets.length && buckets[b + 1]! <= start.getTime()) b++;
    return { day: localDate(start, timeZone), bucket: buckets[b]! };
  });
}

/**
 * Approved figures of the window's days summed per bucket, in one statement: the latest approved
 * version (reopened or not) of each day, for each area of `areas` (a day counts only when every one
 * of them has one), or per area of `targets`. Rows: a bucket, the area (per area), the approved days.
 */
async function approvedSums<T>(
  db: Pick<PrismaClient, '$queryRaw'>,
  source: SeriesSource<T>,
  { days, bucket, timeZone }: { days: string[]; bucket: Bucket; timeZone: string },
  of: { areas: string[] } | { targets: Prisma.Sql },
): Promise<{ bucket_start: Date | null; areaId: string; days: string[] | null; figures: T }[]> {
  const latest = (areas: Prisma.Sql) => Prisma.sql`
    SELECT DISTINCT ON (d."areaId", d.day) d."areaId", d.day, d."dayStart", d.totals
    FROM "DayApproval" d
    WHERE d."areaId" IN (${areas}) AND d.day = ANY(${textArray(days)})
    ORDER BY d."areaId", d.day, d.version DESC`;
  type Row = Record<string, bigint> & { bucket_start: Date | null; areaId: string; days: string[] | null };
  const rows =
    'areas' in of
      ? await db.$queryRaw<Row[]>`
          WITH latest AS (${latest(Prisma.sql`SELECT unnest(${textArray(of.areas)})`)}),
          complete AS (SELECT day FROM latest GROUP BY day HAVING COUNT(*) = ${of.areas.length})
          SELECT ${bucketOf(Prisma.sql`d."dayStart"`, bucket, timeZone)} AS bucket_start, '' AS "areaId", array_agg(DISTINCT d.day) AS days, ${source.stored}
          FROM latest d WHERE d.day IN (SELECT day FROM complete)
          GROUP BY 1`
      : await db.$queryRaw<Row[]>`
          WITH target AS (SELECT a.id, a.path FROM "Area" a WHERE ${of.targets}),
          latest AS (${latest(Prisma.sql`SELECT id FROM target`)})
          SELECT ${bucketOf(Prisma.sql`d."dayStart"`, bucket, timeZone)} AS bucket_start, t.id AS "areaId", array_agg(d.day) FILTER (WHERE d.day IS NOT NULL) AS days, ${source.stored}
          FROM target t LEFT JOIN latest d ON d."areaId" = t.id
          GROUP BY t.id, t.path, 1
          ORDER BY t.path`;
  return rows.map((row) => ({ bucket_start: row.bucket_start && new Date(row.bucket_start), areaId: row.areaId, days: row.days, figures: source.toFigures(row) }));
}

async function series<T extends { [K in keyof T]: number | null }>(
  ctx: Context,
  args: { from: Date; to: Date; bucket: Bucket; basis: Basis; within: string | null },
  source: SeriesSource<T>,
): Promise<Promise<Point<T>>[]> {
  const { from, to, bucket, basis, within } = args;
  const timeZone = ctx.timeZone;
  const heavyRead = ctx.heavyRead ?? ((read) => read());
  // An APPROVED empty bucket has the figures of no approval: what approval does not store stays null.
  const zero = basis === 'APPROVED' ? () => source.toFigures({}) : source.zero;
  const days = basis === 'APPROVED' ? daysOf(from, to, bucket, timeZone) : [];
  // The days of each bucket no approval covers: all of them until the approved ones are taken out.
  const unapproved = (approved: Iterable<string>) => {
    const done = new Set(approved);
    const left = new Map<number, string[]>();
    for (const { day, bucket: start } of days) if (!done.has(day)) left.set(start, [...(left.get(start) ?? []), day]);
    return (start: number) => left.get(start) ?? [];
  };

  const breakdowns = new Map<string, Promise<Map<number, AreaPoint<T>[]>>>();
  const run: SeriesRun<T> = {
    byArea(level, first) {
      const key = `${level}:${first}`;
      if (!breakdowns.has(key)) breakdowns.set(key, breakdown(level, first));
      return breakdowns.get(key)!;
    },
  };
  const points: Point<T>[] = bucketStarts(from, to, bucket, timeZone).map((start) => ({ start, figures: zero(), basis, unapprovedDays: [], run }));
  const byStart = new Map(points.map((point) => [point.start.getTime(), point]));

  /** Every listed area in every bucket, zeros included, in the order of the areas (by path). */
  async function breakdown(level: string | null, first: number): Promise<Map<number, AreaPoint<T>[]>> {
    const targets = areaTargets(within, level);
    const areas = new Map<string, Map<number, AreaPoint<T>>>();
    const cell = (areaId: string, start: number) => {
      let row = areas.get(areaId);
      if (!row) areas.set(areaId, (row = new Map()));
      let at = row.get(start);
      if (!at) row.set(start, (at = { areaId, figures: zero(), unapprovedDays: [] }));
      return at;
    };
    const approvedByArea = new Map<string, string[]>();
    if (basis === 'APPROVED') {
      const rows = await heavyRead(() => approvedSums(ctx.prisma, source, { days: days.map((d) => d.day), bucket, timeZone }, { targets }));
      for (const row of rows) {
        approvedByArea.set(row.areaId, [...(approvedByArea.get(row.areaId) ?? []), ...(row.days ?? [])]);
        if (row.bucket_start) addFigures(cell(row.areaId, row.bucket_start.getTime()).figures, row.figures);
        else cell(row.areaId, points[0]!.start.getTime());
      }
    } else {
      for (let start = from.getTime(); start < to.getTime(); start += WINDOW_MS) {
        const rows = await heavyRead(() => source.live(new Date(start), new Date(Math.min(start + WINDOW_MS, to.getTime())), targets));
        for (const row of rows) {
          const at = cell(row.areaId!, row.bucket_start ? new Date(row.bucket_start).getTime() : points[0]!.start.getTime());
          if (row.bucket_start) addFigures(at.figures, row.figures);
        }
      }
    }
    const listed = [...areas.keys()].slice(0, first);
    const unapprovedOf = new Map(listed.map((areaId) => [areaId, unapproved(approvedByArea.get(areaId) ?? [])]));
    const result = new Map<number, AreaPoint<T>[]>();
    for (const point of points) {
      const start = point.start.getTime();
      result.set(
        start,
        listed.map((areaId) => {
          const at = areas.get(areaId)!.get(start) ?? { areaId, figures: zero(), unapprovedDays: [] };
          return basis === 'APPROVED' ? { ...at, unapprovedDays: unapprovedOf.get(areaId)!(start) } : at;
        }),
      );
    }
    return result;
  }

  if (basis === 'APPROVED') {
    const areas = await approvalAreas(ctx.prisma, within);
    const rows = await heavyRead(() => approvedSums(ctx.prisma, source, { days: days.map((d) => d.day), bucket, timeZone }, { areas }));
    for (const row of rows) {
      const point = row.bucket_start && byStart.get(row.bucket_start.getTime());
      if (point) addFigures(point.figures, row.figures);
    }
    const left = unapproved(rows.flatMap((row) => row.days ?? []));
    for (const point of points) point.unapprovedDays = left(point.start.getTime());
    return inTurns(points);
  }
  for (let start = from.getTime(); start < to.getTime(); start += WINDOW_MS) {
    const rows = await heavyRead(() => source.live(new Date(start), new Date(Math.min(start + WINDOW_MS, to.getTime())), null));
    for (const row of rows) {
      const point = byStart.get(new Date(row.bucket_start).getTime());
      if (point) addFigures(point.figures, row.figures);
    }
  }
  return inTurns(points);
}

/**
 * Checkpoint figures of current reports starting in [start, end), summed per local bucket (only
 * buckets with reports): the statement behind checkpointSeries, and the daily briefing's curve.
 */
export async function checkpointBucketSums(
  db: Pick<PrismaClient, '$queryRaw'>,
  { start, end, bucket, timeZone, ids, within }: { start: Date; end: Date; bucket: Bucket; timeZone: string; ids?: readonly string[] | null; within?: string | null },
): Promise<{ bucket_start: Date; figures: CheckpointCounts }[]> {
  const rows = await db.$queryRaw<(Record<keyof CheckpointCounts, bigint> & { bucket_start: Date })[]>`
    SELECT ${bucketOf(Prisma.sql`r."periodStart"`, bucket, timeZone)} AS bucket_start, ${countColumns}
    FROM "CheckpointReport" r
    WHERE r."supersededAt" IS NULL AND r."periodStart" >= ${instant(start)} AND r."periodStart" < ${instant(end)}
      ${ids ? Prisma.sql`AND r."checkpointId" = ANY(${textArray(ids)})` : Prisma.empty}
      ${within ? Prisma.sql`AND r."checkpointId" IN (SELECT c.id FROM "Checkpoint" c JOIN "Area" a ON a.id = c."areaId" WHERE ${areaBelow(within, Prisma.sql`a.path`)})` : Prisma.empty}
    GROUP BY 1`;
  return rows.map((row) => ({ bucket_start: new Date(row.bucket_start), figures: toCounts(row) }));
}

/**
 * The same sums per area of `targets` (areaTargets): each area counts the sites at any depth below
 * it. Every area has a row, one without reports a row with no bucket, so the breakdown lists it.
 */
async function checkpointAreaBucketSums(
  db: Pick<PrismaClient, '$queryRaw'>,
  { start, end, bucket, timeZone, ids, targets }: { start: Date; end: Date; bucket: Bucket; timeZone: string; ids?: readonly string[] | null; targets: Prisma.Sql },
): Promise<{ bucket_start: Date; areaId: string; figures: CheckpointCounts }[]> {
  const rows = await db.$queryRaw<(Record<keyof CheckpointCounts, bigint> & { bucket_start: Date; areaId: string })[]>`
    WITH target AS (SELECT a.id, a.path FROM "Area" a WHERE ${targets})
    SELECT t.id AS "areaId", ${bucketOf(Prisma.sql`r."periodStart"`, bucket, timeZone)} AS bucket_start, ${countColumns}
    FROM target t
    LEFT JOIN ("Area" below
      JOIN "Checkpoint" c ON c."areaId" = below.id
      JOIN "CheckpointReport" r ON r."checkpointId" = c.id AND r."supersededAt" IS NULL AND r."periodStart" >= ${instant(start)} AND r."periodStart" < ${instant(end)}
        ${ids ? Prisma.sql`AND r."checkpointId" = ANY(${textArray(ids)})` : Prisma.empty}
    ) ON below.path LIKE t.path || '%'
    GROUP BY t.id, t.path, 2
    ORDER BY t.path`;
  return rows.map((row) => ({ bucket_start: row.bucket_start, areaId: row.areaId, figures: toCounts(row) }));
}

const checkpointSource = (ctx: Context, bucket: Bucket, ids: readonly string[] | undefined, within: string | null): SeriesSource<CheckpointCounts> => ({
  zero: zeroCounts,
  live: (start, end, targets) =>
    targets
      ? checkpointAreaBucketSums(ctx.prisma, { start, end, bucket, timeZone: ctx.timeZone, ids, targets })
      : checkpointBucketSums(ctx.prisma, { start, end, bucket, timeZone: ctx.timeZone, ids, within }),
  stored: Prisma.join(Object.keys(zeroCounts()).map((name) => storedFigure(Prisma.sql`d.totals->'checkpointTotals'`, name))),
  toFigures: (row) => toCounts(row),
});

/** Output of the lines an `o` report belongs to, for a productionSeries' filters. */
function outputFilter(ids: readonly string[] | undefined, product: string | null, within: string | null) {
  return Prisma.sql`
    ${ids ? Prisma.sql`AND o."lineId" = ANY(${textArray(ids)})` : Prisma.empty}
    ${product ? Prisma.sql`AND o."lineId" IN (SELECT id FROM "ProductionLine" WHERE "productId" = ${product})` : Prisma.empty}
    ${within ? Prisma.sql`AND o."lineId" IN (SELECT l.id FROM "ProductionLine" l JOIN "Enterprise" e ON e.id = l."enterpriseId" JOIN "Area" a ON a.id = e."areaId" WHERE ${areaBelow(within, Prisma.sql`a.path`)})` : Prisma.empty}`;
}

const outputColumns = Prisma.sql`
  COALESCE(SUM(o.produced), 0)::bigint AS produced,
  COALESCE(SUM(o."passedQc"), 0)::bigint AS "passedQc",
  COUNT(o.id)::bigint AS reports,
  COUNT(o.id) FILTER (WHERE o.source = 'SIMULATED')::bigint AS "simulatedReports"`;

type ApprovedOutput = Omit<OutputTotals, 'reports' | 'simulatedReports'> & { reports: number | null; simulatedReports: number | null };

const productionSource = (ctx: Context, bucket: Bucket, ids: readonly string[] | undefined, product: string | null, within: string | null): SeriesSource<ApprovedOutput> => ({
  zero: zeroOutput,
  live: async (start, end, targets) => {
    type Row = { bucket_start: Date; areaId?: string; produced: bigint; passedQc: bigint; reports: bigint; simulatedReports: bigint };
    const period = Prisma.sql`o."supersededAt" IS NULL AND o."periodStart" >= ${instant(start)} AND o."periodStart" < ${instant(end)}`;
    const rows = targets
      ? // Per area: the lines of the enterprises at any depth below it; every area has a row.
        await ctx.prisma.$queryRaw<Row[]>`
          WITH target AS (SELECT a.id, a.path FROM "Area" a WHERE ${targets})
          SELECT t.id AS "areaId", ${bucketOf(Prisma.sql`o."periodStart"`, bucket, ctx.timeZone)} AS bucket_start, ${outputColumns}
          FROM target t
          LEFT JOIN ("Area" below
            JOIN "Enterprise" e ON e."areaId" = below.id
            JOIN "ProductionLine" l ON l."enterpriseId" = e.id
            JOIN "OutputReport" o ON o."lineId" = l.id AND ${period} ${outputFilter(ids, product, null)}
          ) ON below.path LIKE t.path || '%'
          GROUP BY t.id, t.path, 2
          ORDER BY t.path`
      : await ctx.prisma.$queryRaw<Row[]>`
          SELECT ${bucketOf(Prisma.sql`o."periodStart"`, bucket, ctx.timeZone)} AS bucket_start, ${outputColumns}
          FROM "OutputReport" o
          WHERE ${period} ${outputFilter(ids, product, within)}
          GROUP BY 1`;
    return rows.map((row) => ({ bucket_start: row.bucket_start, areaId: row.areaId, figures: toOutput(row) }));
  },
  // An approval stores an area's units produced and passing QC (every product), not its reports.
  stored: Prisma.join(['produced', 'passedQc'].map((name) => storedFigure(Prisma.sql`d.totals`, name))),
  toFigures: (row) => ({ produced: Number(row.produced ?? 0), passedQc: Number(row.passedQc ?? 0), reports: null, simulatedReports: null }),
});

const unapprovedDaysField = {
  type: ['Date'] as ['Date'],
  description:
    'APPROVED: the local days of the bucket (within the window) with no approved version, whose figures are not counted (never replaced by live ones); empty when every day is approved. LIVE: empty.',
};

const basisField = {
  type: FiguresBasis,
  description: 'Which figures these are, as asked (default APPROVED for partner tokens, LIVE for others): LIVE sums current reports; APPROVED sums the approved versions of its days.',
};

const CheckpointSeriesAreaRef = builder.objectRef<AreaPoint<CheckpointCounts>>('CheckpointSeriesArea').implement({
  description: "One area's checkpoint figures in one bucket: every checkpoint at any depth below it.",
  fields: (t) => ({
    area: t.field({ type: AreaRef, description: 'The area.', resolve: async (a, _args, ctx) => (await loadArea(ctx, a.areaId))! }),
    counts: t.field({ type: CheckpointCountsRef, description: "Figures of its reports starting in the bucket (APPROVED: its approved days' totals).", resolve: (a) => a.figures }),
    feverPer10kScreened: t.field({ ...feverRatioField, resolve: (a) => feverPer10kScreened(a.figures) }),
    unapprovedDays: t.field({ ...unapprovedDaysField, resolve: (a) => a.unapprovedDays }),
  }),
});

const ProductionSeriesAreaRef = builder.objectRef<AreaPoint<ApprovedOutput>>('ProductionSeriesArea').implement({
  description: "One area's output in one bucket: the lines of every enterprise at any depth below it.",
  fields: (t) => ({
    area: t.field({ type: AreaRef, description: 'The area.', resolve: async (a, _args, ctx) => (await loadArea(ctx, a.areaId))! }),
    output: t.field({ type: OutputTotalsRef, description: "Output of its reports starting in the bucket (APPROVED: its approved days' totals).", resolve: (a) => a.figures as OutputTotals }),
    qcPassRate: t.field({ ...qcRatioField, resolve: (a) => qcPassRate(a.figures) }),
    unapprovedDays: t.field({ ...unapprovedDaysField, resolve: (a) => a.unapprovedDays }),
  }),
});

const feverRatioField = { type: RatioRef, description: 'Fever cases per 10,000 people screened in these figures (feverCases ÷ peopleScreened × 10,000).' };
const qcRatioField = { type: RatioRef, description: 'Share of the units produced that passed quality control in this output (passedQc ÷ produced, 0–1; of one product when the series names one).' };

const byAreaDescription =
  "The bucket broken down by area, as zoneSummary.byArea: the areas directly below `within` (the zone's top areas without it), or with `level` every area of that level inside it, ordered by path, zeros included. Read once for every point of the series. APPROVED: each area's own approved versions (an area's unapprovedDays says which days it lacks).";

const CheckpointSeriesPointRef = builder.objectRef<Point<CheckpointCounts>>('CheckpointSeriesPoint').implement({
  description: 'One bucket of a checkpoint chart.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start of the bucket (local hour, local midnight, or local Monday midnight for ISO weeks).', resolve: (p) => p.start }),
    counts: t.field({ type: CheckpointCountsRef, description: "Figures of reports starting in the bucket (APPROVED: the approved totals of the bucket's approved days).", resolve: (p) => p.figures }),
    feverPer10kScreened: t.field({ ...feverRatioField, resolve: (p) => feverPer10kScreened(p.figures) }),
    basis: t.field({ ...basisField, resolve: (p) => p.basis }),
    unapprovedDays: t.field({ ...unapprovedDaysField, resolve: (p) => p.unapprovedDays }),
    byArea: t.field({
      type: [CheckpointSeriesAreaRef],
      description: byAreaDescription,
      args: byAreaArgs(t.arg),
      extensions: byAreaSize,
      resolve: async (p, args) => (await p.run.byArea(args.level ?? null, checkFirstAreas(args.first))).get(p.start.getTime()) ?? [],
    }),
  }),
});

const ProductionSeriesPointRef = builder.objectRef<Point<ApprovedOutput>>('ProductionSeriesPoint').implement({
  description: 'One bucket of a production chart.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start of the bucket (local hour, local midnight, or local Monday midnight for ISO weeks).', resolve: (p) => p.start }),
    output: t.field({ type: OutputTotalsRef, description: "Output of reports starting in the bucket (APPROVED: the approved units of the bucket's approved days).", resolve: (p) => p.figures as OutputTotals }),
    qcPassRate: t.field({ ...qcRatioField, resolve: (p) => qcPassRate(p.figures) }),
    basis: t.field({ ...basisField, resolve: (p) => p.basis }),
    unapprovedDays: t.field({ ...unapprovedDaysField, resolve: (p) => p.unapprovedDays }),
    byArea: t.field({
      type: [ProductionSeriesAreaRef],
      description: byAreaDescription,
      args: byAreaArgs(t.arg),
      extensions: byAreaSize,
      resolve: async (p, args) => (await p.run.byArea(args.level ?? null, checkFirstAreas(args.first))).get(p.start.getTime()) ?? [],
    }),
  }),
});

const seriesArgs = (t: PothosSchemaTypes.QueryFieldBuilder<SchemaTypes, object>) => ({
  from: t.arg({ type: 'DateTime', required: true, description: 'Start of the window (inclusive); a WEEK series starts with the ISO week holding it, counting reports from `from` on.' }),
  within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only the sites in this area or below it (lines by their enterprise\'s area).' }),
  to: t.arg({ type: 'DateTime', required: true, description: 'End of the window (exclusive); at most 400 days after from.' }),
  bucket: t.arg({ type: SeriesBucket, required: true, description: 'Bucket width; at most 10,000 buckets, and as many as the read budget of the caller\'s role allows (each bucket is one point of the answer). APPROVED figures: DAY or WEEK.' }),
  basis: basisArg(
    t.arg,
    "APPROVED: per local day overlapping the window (whole days), the latest approved version of `within` (without it, of the zone's root area); HOUR buckets are refused, and so are site, line or product filters (an approval stores an area's totals).",
  ),
});

/**
 * The basis a series is read on; APPROVED is refused where approval has nothing to give: per hour
 * (a day is approved as a whole) and per site, line or product (it stores an area's totals).
 */
function seriesBasis(ctx: Context, args: { basis?: Basis | null; bucket: Bucket }, filters: Record<string, unknown>): Basis {
  const basis = basisFor(ctx, args.basis);
  if (basis !== 'APPROVED') return basis;
  if (args.bucket === 'hour') throw invalidArgument('bucket', 'APPROVED figures are approved per local day: ask DAY or WEEK buckets, or basis LIVE for hours');
  const filter = Object.keys(filters).find((name) => filters[name] != null);
  if (filter) throw invalidArgument(filter, "APPROVED figures are an area's approved totals: leave this out (use within), or ask basis LIVE");
  return basis;
}
/**
 * A series returns one point per bucket: the read budget counts them before it runs. A range the
 * resolver refuses (reversed, over 400 days or 10,000 buckets) reads nothing, and counts as one, so
 * that its own error, which names the argument, is the one the caller sees.
 */
const seriesSize = listSize((args) => {
  const [from, to, bucket] = [args.from as Date, args.to as Date, args.bucket as Bucket];
  try {
    checkTimeRange(from, to, bucket);
  } catch {
    return 1;
  }
  return bucketCount(from, to, bucket);
});

builder.queryFields((t) => ({
  checkpointSeries: t.field({
    authScopes: { aggregates: true },
    type: [CheckpointSeriesPointRef],
    extensions: seriesSize,
    description:
      'Checkpoint figures per local hour, day or ISO week, summed over the chosen checkpoints (all when omitted); empty buckets are zeros. LIVE (current reports) or APPROVED (approved totals per day; the default for partner tokens); each point says which, and can be broken down by area.',
    args: {
      checkpointIds: t.arg.globalIDList({ for: CheckpointRef, required: false, description: 'Only these checkpoints.' }),
      checkpoints: t.arg.globalIDList({ for: CheckpointRef, required: false, description: 'Only these checkpoints.', deprecationReason: 'Use checkpointIds.' }),
      ...seriesArgs(t),
    },
    resolve: async (_root, args, ctx) => {
      checkTimeRange(args.from, args.to, args.bucket);
      const ids = renamed(args, 'checkpointIds', 'checkpoints')?.map((id) => id.id);
      const within = args.within ? String(args.within.id) : null;
      const basis = seriesBasis(ctx, args, { checkpointIds: ids });
      return series(ctx, { ...args, basis, within }, checkpointSource(ctx, args.bucket, ids, within));
    },
  }),
  productionSeries: t.field({
    authScopes: { aggregates: true },
    type: [ProductionSeriesPointRef],
    extensions: seriesSize,
    description:
      'Output per local hour, day or ISO week, summed over the chosen lines (all when omitted) or the lines of the chosen product. LIVE (current reports) or APPROVED (approved units per day, every product; the default for partner tokens); each point says which, and can be broken down by area.',
    args: {
      lineIds: t.arg.globalIDList({ for: ProductionLineRef, required: false, description: 'Only these lines.' }),
      productId: t.arg.globalID({ for: ProductRef, required: false, description: 'Only lines making this product.' }),
      lines: t.arg.globalIDList({ for: ProductionLineRef, required: false, description: 'Only these lines.', deprecationReason: 'Use lineIds.' }),
      product: t.arg.globalID({ for: ProductRef, required: false, description: 'Only lines making this product.', deprecationReason: 'Use productId.' }),
      ...seriesArgs(t),
    },
    resolve: async (_root, args, ctx) => {
      checkTimeRange(args.from, args.to, args.bucket);
      const ids = renamed(args, 'lineIds', 'lines')?.map((id) => id.id);
      const product = renamed(args, 'productId', 'product');
      const within = args.within ? String(args.within.id) : null;
      const basis = seriesBasis(ctx, args, { lineIds: ids, productId: product });
      return series(ctx, { ...args, basis, within }, productionSource(ctx, args.bucket, ids, product ? String(product.id) : null, within));
    },
  }),
}));
