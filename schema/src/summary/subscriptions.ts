import { builder } from '../core/builder.ts';
import type { OutboxEvent } from '../core/live.ts';
import { asOfFields, CLOCK_REFRESH_MS, liveFeed, minIntervalArg, pacing } from '../core/live-values.ts';
import { today } from '@fangkong/zone';
import { AreaRef } from '../places/places.ts';
import { computeZoneSummary, ProductStockRef, ZoneSummaryRef, type ZoneSummary } from './zone-summary.ts';

interface StockUpdate {
  stock: ZoneSummary['stock'];
  asOf: Date;
  asOfSeq: bigint;
}

const StockLevelsRef = builder.objectRef<StockUpdate>('StockLevels').implement({
  description: 'Stock per product (produced − allocated), as of an outbox position.',
  fields: (t) => ({
    stock: t.field({ type: [ProductStockRef], description: 'Each product.', resolve: (u) => u.stock }),
    ...asOfFields(t),
  }),
});

const isStockEvent = (e: OutboxEvent) => e.type.startsWith('outputReport:') || e.type.startsWith('allocation:') || e.type === 'product:safetyLevelSet';

builder.subscriptionFields((t) => ({
  zoneSummary: t.field({
    authScopes: { aggregates: true },
    type: ZoneSummaryRef,
    description: "Today's zone figures (or one area's): the current snapshot first, then one after every change (at most one per 250 ms, or per `minIntervalMs`).",
    args: {
      within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only the sites and compounds in this area or below it.' }),
      minIntervalMs: minIntervalArg(t.arg),
    },
    subscribe: (_root, args, ctx) => {
      const within = args.within ? String(args.within.id) : null;
      return liveFeed(ctx).watch<ZoneSummary>(within ? `zoneSummary:${within}` : 'zoneSummary', {
        minIntervalMs: pacing(args.minIntervalMs),
        relevant: () => true,
        refreshMs: CLOCK_REFRESH_MS,
        compute: () => {
          const now = ctx.now();
          return computeZoneSummary(ctx.prisma, today(now, ctx.timeZone), ctx.timeZone, now, within);
        },
      });
    },
    resolve: (summary) => summary,
  }),
  stockLevels: t.field({
    authScopes: { aggregates: true },
    type: StockLevelsRef,
    description: 'Stock per product: a snapshot, then one after every production or allocation change.',
    args: { minIntervalMs: minIntervalArg(t.arg) },
    subscribe: (_root, args, ctx) =>
      liveFeed(ctx).watch<StockUpdate>('stockLevels', {
        minIntervalMs: pacing(args.minIntervalMs),
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
