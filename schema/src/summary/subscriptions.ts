import { builder } from '../core/builder.ts';
import { asOfFields, CLOCK_REFRESH_MS, liveFeed, minIntervalArg, pacing } from '../core/live-values.ts';
import { today } from '@fangkong/zone';
import { AreaRef } from '../places/places.ts';
import { changesSummary, computeZoneSummary, EVERY_PART, partsAsked, partsKey, ProductStockRef, type SummaryParts, ZoneSummaryRef, type ZoneSummary } from './zone-summary.ts';

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

// Stock levels read the stock part alone, with its flows.
const STOCK_PARTS: SummaryParts = { ...EVERY_PART, checkpoints: false, production: false, isolation: false, communities: false };

builder.subscriptionFields((t) => ({
  zoneSummary: t.field({
    authScopes: { aggregates: true },
    type: ZoneSummaryRef,
    description: "Today's zone figures (or one area's): the current snapshot first, then one after every change (at most one per 250 ms, or per `minIntervalMs`).",
    args: {
      within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only the sites and compounds in this area or below it.' }),
      minIntervalMs: minIntervalArg(t.arg),
    },
    // A wall reads a few parts of the summary: only those are computed, and only events that can
    // change them make a new value (walls asking for different parts share nothing, so their values
    // are kept apart). Every instance computes each distinct value once per change, whatever the
    // number of subscribers (shared execution, server/src/live).
    subscribe: (_root, args, ctx, info) => {
      const within = args.within ? String(args.within.id) : null;
      const parts = partsAsked(info);
      return liveFeed(ctx).watch<ZoneSummary>(`zoneSummary:${within ?? ''}:${partsKey(parts)}`, {
        minIntervalMs: pacing(args.minIntervalMs),
        relevant: (event) => changesSummary(parts, event.type),
        refreshMs: CLOCK_REFRESH_MS,
        compute: () => {
          const now = ctx.now();
          return computeZoneSummary(ctx.prisma, today(now, ctx.timeZone), ctx.timeZone, now, within, undefined, parts);
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
        relevant: (event) => changesSummary(STOCK_PARTS, event.type),
        compute: async () => {
          const now = ctx.now();
          const summary = await computeZoneSummary(ctx.prisma, today(now, ctx.timeZone), ctx.timeZone, now, null, undefined, STOCK_PARTS);
          return { stock: summary.stock, asOf: summary.asOf, asOfSeq: summary.asOfSeq };
        },
      }),
    resolve: (update) => update,
  }),
}));
