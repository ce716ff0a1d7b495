import { setImmediate } from 'node:timers/promises';
import { Prisma, type PrismaClient } from '@fangkong/prisma';
import { DAY_MS, HOUR_MS, wallClock, zonedInstant } from '@fangkong/zone';
import { builder, type SchemaTypes } from '../core/builder.ts';
import { CheckpointCountsRef, CheckpointRef } from '../checkpoints/checkpoints.ts';
import { countColumns, toCounts, zeroCounts, type CheckpointCounts } from '../checkpoints/counts.ts';
import { OutputTotalsRef, ProductionLineRef } from '../production/production.ts';
import { ProductRef } from '../supplies/supplies.ts';
import { areaBelow, AreaRef } from '../places/places.ts';
import { toOutput, zeroOutput, type OutputTotals } from '../production/output.ts';
import { textArray, instant } from '../core/sql.ts';
import { renamed } from '../core/renamed.ts';
import { bucketCount, checkTimeRange, SeriesBucket } from '../core/time-range.ts';
import { listSize } from '../core/list-size.ts';
import type { Context } from '../core/context.ts';

interface Point<T> {
  start: Date;
  figures: T;
}

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

async function series<T extends { [K in keyof T]: number }>(
  ctx: Context,
  args: { from: Date; to: Date; bucket: Bucket },
  zero: () => T,
  sums: (start: Date, end: Date) => Promise<{ bucket_start: Date; figures: T }[]>,
): Promise<Promise<Point<T>>[]> {
  const points = bucketStarts(args.from, args.to, args.bucket, ctx.timeZone).map((start) => ({ start, figures: zero() }));
  const byStart = new Map(points.map((point) => [point.start.getTime(), point]));
  const heavyRead = ctx.heavyRead ?? ((read) => read());
  for (let start = args.from.getTime(); start < args.to.getTime(); start += WINDOW_MS) {
    const rows = await heavyRead(() => sums(new Date(start), new Date(Math.min(start + WINDOW_MS, args.to.getTime()))));
    for (const row of rows) {
      const point = byStart.get(new Date(row.bucket_start).getTime());
      if (!point) continue;
      for (const key of Object.keys(row.figures) as (keyof T)[]) point.figures[key] = (point.figures[key] + row.figures[key]) as T[keyof T];
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

const CheckpointSeriesPointRef = builder.objectRef<Point<CheckpointCounts>>('CheckpointSeriesPoint').implement({
  description: 'One bucket of a checkpoint chart.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start of the bucket (local hour, local midnight, or local Monday midnight for ISO weeks).', resolve: (p) => p.start }),
    counts: t.field({ type: CheckpointCountsRef, description: 'Figures of reports starting in the bucket.', resolve: (p) => p.figures }),
  }),
});

const ProductionSeriesPointRef = builder.objectRef<Point<OutputTotals>>('ProductionSeriesPoint').implement({
  description: 'One bucket of a production chart.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start of the bucket (local hour, local midnight, or local Monday midnight for ISO weeks).', resolve: (p) => p.start }),
    output: t.field({ type: OutputTotalsRef, description: 'Output of reports starting in the bucket.', resolve: (p) => p.figures }),
  }),
});

const seriesArgs = (t: PothosSchemaTypes.QueryFieldBuilder<SchemaTypes, object>) => ({
  from: t.arg({ type: 'DateTime', required: true, description: 'Start of the window (inclusive); a WEEK series starts with the ISO week holding it, counting reports from `from` on.' }),
  within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only the sites in this area or below it (lines by their enterprise\'s area).' }),
  to: t.arg({ type: 'DateTime', required: true, description: 'End of the window (exclusive); at most 400 days after from.' }),
  bucket: t.arg({ type: SeriesBucket, required: true, description: 'Bucket width; at most 10,000 buckets, and as many as the read budget of the caller\'s role allows (each bucket is one point of the answer).' }),
});

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
    description: 'Checkpoint figures per local hour or day, summed over the chosen checkpoints (all when omitted); empty buckets are zeros.',
    args: {
      checkpointIds: t.arg.globalIDList({ for: CheckpointRef, required: false, description: 'Only these checkpoints.' }),
      checkpoints: t.arg.globalIDList({ for: CheckpointRef, required: false, description: 'Only these checkpoints.', deprecationReason: 'Use checkpointIds.' }),
      ...seriesArgs(t),
    },
    resolve: async (_root, args, ctx) => {
      checkTimeRange(args.from, args.to, args.bucket);
      const ids = renamed(args, 'checkpointIds', 'checkpoints')?.map((id) => id.id);
      const within = args.within ? String(args.within.id) : null;
      return series(ctx, args, zeroCounts, (start, end) => checkpointBucketSums(ctx.prisma, { start, end, bucket: args.bucket, timeZone: ctx.timeZone, ids, within }));
    },
  }),
  productionSeries: t.field({
    authScopes: { aggregates: true },
    type: [ProductionSeriesPointRef],
    extensions: seriesSize,
    description: 'Output per local hour or day, summed over the chosen lines (all when omitted) or the lines of the chosen product.',
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
      return series(ctx, args, zeroOutput, async (start, end) => {
        const rows = await ctx.prisma.$queryRaw<{ bucket_start: Date; produced: bigint; passedQc: bigint; reports: bigint; simulatedReports: bigint }[]>`
          SELECT ${bucketOf(Prisma.sql`o."periodStart"`, args.bucket, ctx.timeZone)} AS bucket_start,
            COALESCE(SUM(o.produced), 0)::bigint AS produced,
            COALESCE(SUM(o."passedQc"), 0)::bigint AS "passedQc",
            COUNT(o.id)::bigint AS reports,
            COUNT(o.id) FILTER (WHERE o.source = 'SIMULATED')::bigint AS "simulatedReports"
          FROM "OutputReport" o
          WHERE o."supersededAt" IS NULL AND o."periodStart" >= ${instant(start)} AND o."periodStart" < ${instant(end)}
            ${ids ? Prisma.sql`AND o."lineId" = ANY(${textArray(ids)})` : Prisma.empty}
            ${product ? Prisma.sql`AND o."lineId" IN (SELECT id FROM "ProductionLine" WHERE "productId" = ${product.id})` : Prisma.empty}
            ${within ? Prisma.sql`AND o."lineId" IN (SELECT l.id FROM "ProductionLine" l JOIN "Enterprise" e ON e.id = l."enterpriseId" JOIN "Area" a ON a.id = e."areaId" WHERE ${areaBelow(within, Prisma.sql`a.path`)})` : Prisma.empty}
          GROUP BY 1`;
        return rows.map((row) => ({ bucket_start: row.bucket_start, figures: toOutput(row) }));
      });
    },
  }),
}));
