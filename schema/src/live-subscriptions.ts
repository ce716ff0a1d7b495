import { Prisma } from '@fangkong/prisma';
import { Repeater } from '@repeaterjs/repeater';
import { builder } from './builder.ts';
import { byCheckpoint, countsQuery, lastReportQuery, lastReportsOf, type CheckpointCounts } from './checkpoint-counts.ts';
import { CheckpointCountsRef, CheckpointRef } from './checkpoints.ts';
import type { Context } from './context.ts';
import { userError } from './errors.ts';
import type { LiveFeed, OutboxEvent } from './live.ts';
import { EnterpriseRef, LineStatus, OutputTotalsRef } from './production.ts';
import { byLine, outputQuery, type OutputTotals } from './production-output.ts';
import { computeZoneSummary, ProductStockRef, ZoneSummaryRef, type ZoneSummary } from './zone-summary.ts';
import { today } from './zone-time.ts';

// Live figures for wall displays: a snapshot first, then a new value after every relevant change.
// Each value says which outbox event it includes (asOfSeq), so a client can tell what it reflects.

/** Today rolls over at local midnight: live values recompute at least this often. */
const CLOCK_REFRESH_MS = 60_000;

function liveFeed(ctx: Context): LiveFeed {
  if (!ctx.live) throw userError('subscriptions are served over WebSocket (graphql-ws) and Server-Sent Events', 'BAD_USER_INPUT');
  return ctx.live;
}

/** The outbox position and some reads, all from one REPEATABLE READ snapshot. */
async function snapshot<T extends readonly Prisma.PrismaPromise<unknown>[]>(ctx: Context, reads: [...T]) {
  const [seq, ...values] = await ctx.prisma.$transaction(
    [ctx.prisma.$queryRaw<{ seq: bigint | null }[]>`SELECT MAX(seq) AS seq FROM "Event"`, ...reads] as const,
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
  return { asOfSeq: (seq as { seq: bigint | null }[])[0]?.seq ?? 0n, asOf: ctx.now(), values: values as { [K in keyof T]: Awaited<T[K]> } };
}

interface CheckpointUpdate {
  checkpointId: string;
  today: CheckpointCounts;
  lastReportAt: Date | null;
  asOf: Date;
  asOfSeq: bigint;
}

const CheckpointCountsUpdateRef = builder.objectRef<CheckpointUpdate>('CheckpointCountsUpdate').implement({
  description: "One checkpoint's figures for today, as of an outbox position.",
  fields: (t) => ({
    checkpoint: t.prismaField({
      type: 'Checkpoint',
      description: 'The checkpoint.',
      resolve: (query, update, _args, ctx) => ctx.prisma.checkpoint.findUniqueOrThrow({ ...query, where: { id: update.checkpointId } }),
    }),
    today: t.field({ type: CheckpointCountsRef, description: "Today's figures.", resolve: (u) => u.today }),
    lastReportAt: t.expose('lastReportAt', { type: 'DateTime', nullable: true, description: 'End of the latest period reported.' }),
    asOf: t.expose('asOf', { type: 'DateTime', description: 'When the figures were read.' }),
    asOfSeq: t.expose('asOfSeq', { type: 'Seq', description: 'The last outbox event the figures include.' }),
  }),
});

interface LineUpdate {
  lineId: string;
  status: string;
  ratedDailyCapacity: number;
  today: OutputTotals;
  utilization: number | null;
  asOf: Date;
  asOfSeq: bigint;
}

const ProductionUpdateRef = builder.objectRef<LineUpdate>('ProductionUpdate').implement({
  description: "One production line's output today against its capacity, as of an outbox position.",
  fields: (t) => ({
    line: t.prismaField({
      type: 'ProductionLine',
      description: 'The line.',
      resolve: (query, update, _args, ctx) => ctx.prisma.productionLine.findUniqueOrThrow({ ...query, where: { id: update.lineId } }),
    }),
    status: t.field({ type: LineStatus, description: 'Its status now.', resolve: (u) => u.status as never }),
    ratedDailyCapacity: t.exposeInt('ratedDailyCapacity', { description: 'Rated output per 24 hours.' }),
    today: t.field({ type: OutputTotalsRef, description: "Today's output.", resolve: (u) => u.today }),
    utilization: t.exposeFloat('utilization', { nullable: true, description: "Today's output against capacity for the part of the day elapsed." }),
    asOf: t.expose('asOf', { type: 'DateTime', description: 'When the figures were read.' }),
    asOfSeq: t.expose('asOfSeq', { type: 'Seq', description: 'The last outbox event the figures include.' }),
  }),
});

interface StockUpdate {
  stock: ZoneSummary['stock'];
  asOf: Date;
  asOfSeq: bigint;
}

const StockLevelsRef = builder.objectRef<StockUpdate>('StockLevels').implement({
  description: 'Stock per product (produced − allocated), as of an outbox position.',
  fields: (t) => ({
    stock: t.field({ type: [ProductStockRef], description: 'Each product.', resolve: (u) => u.stock }),
    asOf: t.expose('asOf', { type: 'DateTime', description: 'When the figures were read.' }),
    asOfSeq: t.expose('asOfSeq', { type: 'Seq', description: 'The last outbox event the figures include.' }),
  }),
});

const isCheckpointEvent = (id: string) => (e: OutboxEvent) => e.type.startsWith('checkpointReport:') && e.payload.checkpointId === id;
const isLineEvent = (id: string) => (e: OutboxEvent) =>
  (e.type.startsWith('outputReport:') || e.type === 'productionLine:statusChanged') && e.payload.lineId === id;
const isStockEvent = (e: OutboxEvent) => e.type.startsWith('outputReport:') || e.type.startsWith('allocation:');

function watchCheckpoint(ctx: Context, id: string) {
  return liveFeed(ctx).watch<CheckpointUpdate>(`checkpoint:${id}`, {
    relevant: isCheckpointEvent(id),
    refreshMs: CLOCK_REFRESH_MS,
    compute: async () => {
      const day = today(ctx.now(), ctx.timeZone);
      const { asOf, asOfSeq, values } = await snapshot(ctx, [countsQuery(ctx.prisma, [id], day.start, day.end), lastReportQuery(ctx.prisma, [id])]);
      const [counts] = byCheckpoint([id], values[0]);
      const [last] = lastReportsOf([id], values[1]);
      return { checkpointId: id, today: counts!, lastReportAt: last ?? null, asOf, asOfSeq };
    },
  });
}

builder.subscriptionType({ description: 'Live figures for wall displays and the outbox as a lossless stream.' });

builder.subscriptionFields((t) => ({
  zoneSummary: t.field({
    authScopes: { aggregates: true },
    type: ZoneSummaryRef,
    description: "Today's zone figures: the current snapshot first, then one after every change (at most one per 250 ms).",
    subscribe: (_root, _args, ctx) =>
      liveFeed(ctx).watch<ZoneSummary>('zoneSummary', {
        relevant: () => true,
        refreshMs: CLOCK_REFRESH_MS,
        compute: () => {
          const now = ctx.now();
          return computeZoneSummary(ctx.prisma, today(now, ctx.timeZone), ctx.timeZone, now);
        },
      }),
    resolve: (summary) => summary,
  }),
  checkpointCounts: t.field({
    authScopes: { aggregates: true },
    type: CheckpointCountsUpdateRef,
    description: "Today's figures per checkpoint (all when none are named): one update per checkpoint as a snapshot, then one per change.",
    args: { checkpointIds: t.arg.globalIDList({ for: CheckpointRef, required: false, description: 'Only these checkpoints.' }) },
    subscribe: async (_root, args, ctx) => {
      const ids = args.checkpointIds?.length
        ? [...new Set(args.checkpointIds.map((id) => id.id))]
        : (await ctx.prisma.checkpoint.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((c) => c.id);
      const known = await ctx.prisma.checkpoint.count({ where: { id: { in: ids } } });
      if (known !== ids.length) throw userError('checkpointIds: one or more checkpoints do not exist', 'NOT_FOUND');
      return Repeater.merge(ids.map((id) => watchCheckpoint(ctx, id)));
    },
    resolve: (update) => update,
  }),
  productionOutput: t.field({
    authScopes: { aggregates: true },
    type: ProductionUpdateRef,
    description: "Today's output per production line of the named enterprises (all when none are named): a snapshot per line, then one per change.",
    args: { enterpriseIds: t.arg.globalIDList({ for: EnterpriseRef, required: false, description: 'Only lines of these enterprises.' }) },
    subscribe: async (_root, args, ctx) => {
      const enterpriseIds = args.enterpriseIds?.map((id) => id.id);
      const lines = await ctx.prisma.productionLine.findMany({
        where: enterpriseIds ? { enterpriseId: { in: enterpriseIds } } : {},
        select: { id: true },
        orderBy: { id: 'asc' },
      });
      return Repeater.merge(lines.map(({ id }) => watchLine(ctx, id)));
    },
    resolve: (update) => update,
  }),
  stockLevels: t.field({
    authScopes: { aggregates: true },
    type: StockLevelsRef,
    description: 'Stock per product: a snapshot, then one after every production or allocation change.',
    subscribe: (_root, _args, ctx) =>
      liveFeed(ctx).watch<StockUpdate>('stockLevels', {
        relevant: isStockEvent,
        compute: async () => {
          const now = ctx.now();
          const summary = await computeZoneSummary(ctx.prisma, today(now, ctx.timeZone), ctx.timeZone, now);
          return { stock: summary.stock, asOf: summary.asOf, asOfSeq: summary.asOfSeq };
        },
      }),
    resolve: (update) => update,
  }),
}));

function watchLine(ctx: Context, id: string) {
  return liveFeed(ctx).watch<LineUpdate>(`line:${id}`, {
    relevant: isLineEvent(id),
    refreshMs: CLOCK_REFRESH_MS,
    compute: async () => {
      const now = ctx.now();
      const day = today(now, ctx.timeZone);
      const { asOf, asOfSeq, values } = await snapshot(ctx, [
        ctx.prisma.productionLine.findUniqueOrThrow({ where: { id } }),
        outputQuery(ctx.prisma, [id], day.start, day.end),
      ]);
      const [line, rows] = values;
      const [output] = byLine([id], rows);
      const elapsed = (now.getTime() - day.start.getTime()) / (day.end.getTime() - day.start.getTime());
      return {
        lineId: id,
        status: line.status,
        ratedDailyCapacity: line.ratedDailyCapacity,
        today: output!,
        utilization: line.ratedDailyCapacity > 0 && elapsed > 0 ? output!.produced / (line.ratedDailyCapacity * elapsed) : null,
        asOf,
        asOfSeq,
      };
    },
  });
}
