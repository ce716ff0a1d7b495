import type { $Enums, ProductionLine } from '@fangkong/prisma';
import { builder } from '../core/builder.ts';
import type { Context } from '../core/context.ts';
import { lineSubject, type OutboxEvent, type WatchOptions } from '../core/live.ts';
import { asOfFields, CLOCK_REFRESH_MS, liveFeed, minIntervalArg, needsRelations, pacing, snapshot } from '../core/live-values.ts';
import { today } from '@fangkong/zone';
import { byLine, outputQuery, type OutputTotals } from './output.ts';
import { EnterpriseRef, LineStatus, OutputTotalsRef } from './production.ts';

interface LineUpdate {
  lineId: string;
  /** The line's row, read with the figures: `line { … }` costs no query per subscriber. */
  row: ProductionLine;
  status: $Enums.LineStatus;
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
      // Its own columns come with the shared value; only relations below it need a query.
      resolve: (query, update, _args, ctx) => (needsRelations(query) ? ctx.prisma.productionLine.findUniqueOrThrow({ ...query, where: { id: update.lineId } }) : update.row),
    }),
    status: t.field({ type: LineStatus, description: 'Its status now.', resolve: (u) => u.status }),
    ratedDailyCapacity: t.exposeInt('ratedDailyCapacity', { description: 'Rated output per 24 hours.' }),
    today: t.field({ type: OutputTotalsRef, description: "Today's output.", resolve: (u) => u.today }),
    utilization: t.exposeFloat('utilization', { nullable: true, description: "Today's output against capacity for the part of the day elapsed." }),
    ...asOfFields(t),
  }),
});

const isLineEvent = (id: string) => (e: OutboxEvent) =>
  (e.type.startsWith('outputReport:') || e.type === 'productionLine:statusChanged') && e.payload.lineId === id;

builder.subscriptionFields((t) => ({
  productionOutput: t.field({
    authScopes: { aggregates: true },
    type: ProductionUpdateRef,
    description: "Today's output per production line of the named enterprises (all when none are named): a snapshot per line, then one per change.",
    args: {
      enterpriseIds: t.arg.globalIDList({ for: EnterpriseRef, required: false, description: 'Only lines of these enterprises.' }),
      minIntervalMs: minIntervalArg(t.arg),
    },
    subscribe: async (_root, args, ctx) => {
      const minIntervalMs = pacing(args.minIntervalMs);
      const enterpriseIds = args.enterpriseIds?.map((id) => id.id);
      const lines = await ctx.prisma.productionLine.findMany({
        where: enterpriseIds ? { enterpriseId: { in: enterpriseIds } } : {},
        select: { id: true },
        orderBy: { id: 'asc' },
      });
      return liveFeed(ctx).watchEach(lines.map(({ id }) => lineValue(ctx, id, minIntervalMs)));
    },
    resolve: (update) => update,
  }),
}));

/** The live value of one production line's output, shared by every subscriber watching it. */
function lineValue(ctx: Context, id: string, minIntervalMs: number | null): { key: string; options: WatchOptions<LineUpdate> } {
  return {
    key: lineSubject(id),
    options: {
      minIntervalMs,
      relevant: isLineEvent(id),
      subject: lineSubject(id),
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
          row: line,
          status: line.status,
          ratedDailyCapacity: line.ratedDailyCapacity,
          today: output!,
          utilization: line.ratedDailyCapacity > 0 && elapsed > 0 ? output!.produced / (line.ratedDailyCapacity * elapsed) : null,
          asOf,
          asOfSeq,
        };
      },
    },
  };
}
