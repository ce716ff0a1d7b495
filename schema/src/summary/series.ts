import { Prisma } from '@fangkong/prisma';
import { builder, type SchemaTypes } from '../core/builder.ts';
import { CheckpointCountsRef, CheckpointRef } from '../checkpoints/checkpoints.ts';
import { countColumns, toCounts, type CheckpointCounts } from '../checkpoints/counts.ts';
import { OutputTotalsRef, ProductionLineRef } from '../production/production.ts';
import { ProductRef } from '../supplies/supplies.ts';
import { toOutput, type OutputTotals } from '../production/output.ts';
import { textArray, instant } from '../core/sql.ts';
import { renamed } from '../core/renamed.ts';
import { checkTimeRange, SeriesBucket } from '../core/time-range.ts';

interface Point<T> {
  start: Date;
  figures: T;
}

/**
 * Local-time buckets covering [from, to), as a SQL fragment yielding `local_start` (local wall
 * time) and `bucket_start`/`bucket_end` (instants, comparable with stored columns).
 * Every bucket is present, so empty ones come back as zeros.
 */
function bucketsSql(from: Date, to: Date, bucket: 'hour' | 'day', timeZone: string) {
  return Prisma.sql`
    SELECT gs AS local_start,
      gs AT TIME ZONE ${timeZone} AS bucket_start,
      (gs + CAST(${`1 ${bucket}`} AS interval)) AT TIME ZONE ${timeZone} AS bucket_end
    FROM generate_series(
      date_trunc(${bucket}, ${instant(from)} AT TIME ZONE ${timeZone}),
      (${instant(to)} AT TIME ZONE ${timeZone}) - interval '1 millisecond',
      CAST(${`1 ${bucket}`} AS interval)) AS gs`;
}

const CheckpointSeriesPointRef = builder.objectRef<Point<CheckpointCounts>>('CheckpointSeriesPoint').implement({
  description: 'One bucket of a checkpoint chart.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start of the bucket (local hour or local midnight).', resolve: (p) => p.start }),
    counts: t.field({ type: CheckpointCountsRef, description: 'Figures of reports starting in the bucket.', resolve: (p) => p.figures }),
  }),
});

const ProductionSeriesPointRef = builder.objectRef<Point<OutputTotals>>('ProductionSeriesPoint').implement({
  description: 'One bucket of a production chart.',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start of the bucket (local hour or local midnight).', resolve: (p) => p.start }),
    output: t.field({ type: OutputTotalsRef, description: 'Output of reports starting in the bucket.', resolve: (p) => p.figures }),
  }),
});

const seriesArgs = (t: PothosSchemaTypes.QueryFieldBuilder<SchemaTypes, object>) => ({
  from: t.arg({ type: 'DateTime', required: true, description: 'Start of the window (inclusive).' }),
  to: t.arg({ type: 'DateTime', required: true, description: 'End of the window (exclusive); at most 400 days after from.' }),
  bucket: t.arg({ type: SeriesBucket, required: true, description: 'Bucket width; at most 10,000 buckets.' }),
});

builder.queryFields((t) => ({
  checkpointSeries: t.field({
    authScopes: { aggregates: true },
    type: [CheckpointSeriesPointRef],
    description: 'Checkpoint figures per local hour or day, summed over the chosen checkpoints (all when omitted); empty buckets are zeros.',
    args: {
      checkpointIds: t.arg.globalIDList({ for: CheckpointRef, required: false, description: 'Only these checkpoints.' }),
      checkpoints: t.arg.globalIDList({ for: CheckpointRef, required: false, description: 'Only these checkpoints.', deprecationReason: 'Use checkpointIds.' }),
      ...seriesArgs(t),
    },
    resolve: async (_root, args, ctx) => {
      checkTimeRange(args.from, args.to, args.bucket);
      const ids = renamed(args, 'checkpointIds', 'checkpoints')?.map((id) => id.id);
      const rows = await ctx.prisma.$queryRaw<(Record<keyof CheckpointCounts, bigint> & { local_start: Date; bucket_start: Date })[]>`
        WITH buckets AS (${bucketsSql(args.from, args.to, args.bucket, ctx.timeZone)})
        SELECT b.bucket_start, ${countColumns}
        FROM buckets b
        LEFT JOIN "CheckpointReport" r ON r."supersededAt" IS NULL
          AND r."periodStart" >= GREATEST(b.bucket_start, ${instant(args.from)})
          AND r."periodStart" < LEAST(b.bucket_end, ${instant(args.to)})
          ${ids ? Prisma.sql`AND r."checkpointId" = ANY(${textArray(ids)})` : Prisma.empty}
        GROUP BY b.bucket_start
        ORDER BY b.bucket_start`;
      return rows.map((row) => ({ start: new Date(row.bucket_start), figures: toCounts(row) }));
    },
  }),
  productionSeries: t.field({
    authScopes: { aggregates: true },
    type: [ProductionSeriesPointRef],
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
      const rows = await ctx.prisma.$queryRaw<{ bucket_start: Date; produced: bigint; passedQc: bigint; reports: bigint; simulatedReports: bigint }[]>`
        WITH buckets AS (${bucketsSql(args.from, args.to, args.bucket, ctx.timeZone)})
        SELECT b.bucket_start,
          COALESCE(SUM(o.produced), 0)::bigint AS produced,
          COALESCE(SUM(o."passedQc"), 0)::bigint AS "passedQc",
          COUNT(o.id)::bigint AS reports,
          COUNT(o.id) FILTER (WHERE o.source = 'SIMULATED')::bigint AS "simulatedReports"
        FROM buckets b
        LEFT JOIN "OutputReport" o ON o."supersededAt" IS NULL
          AND o."periodStart" >= GREATEST(b.bucket_start, ${instant(args.from)})
          AND o."periodStart" < LEAST(b.bucket_end, ${instant(args.to)})
          ${ids ? Prisma.sql`AND o."lineId" = ANY(${textArray(ids)})` : Prisma.empty}
          ${product ? Prisma.sql`AND o."lineId" IN (SELECT id FROM "ProductionLine" WHERE "productId" = ${product.id})` : Prisma.empty}
        GROUP BY b.bucket_start
        ORDER BY b.bucket_start`;
      return rows.map((row) => ({ start: new Date(row.bucket_start), figures: toOutput(row) }));
    },
  }),
}));
