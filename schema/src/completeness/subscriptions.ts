import { builder } from '../core/builder.ts';
import type { OutboxEvent } from '../core/live.ts';
import { CLOCK_REFRESH_MS, liveFeed } from '../core/live-values.ts';
import { AreaRef } from '../places/places.ts';
import { localDate } from '@fangkong/zone';
import { completenessArgs, completenessQuery, computeCompleteness, ReportingCompletenessRef, selects, SiteKindEnum, type ReportingCompleteness } from './completeness.ts';

const isReportEvent = (e: OutboxEvent) => e.type.startsWith('checkpointReport:') || e.type.startsWith('outputReport:');

builder.subscriptionFields((t) => ({
  reportingCompleteness: t.field({
    authScopes: { aggregates: true },
    type: ReportingCompletenessRef,
    description:
      "Today's reporting completeness: a snapshot, then a new value after every report or correction (at most one per 250 ms) and every minute, as periods fall due and the day rolls over.",
    args: {
      within: t.arg.globalID({ for: AreaRef, required: false, description: completenessArgs.within.description }),
      kinds: t.arg({ type: [SiteKindEnum], required: false, description: completenessArgs.kinds.description }),
      graceMinutes: t.arg.int({ required: false, description: completenessArgs.graceMinutes.description }),
    },
    subscribe: (_root, args, ctx, info) => {
      // Checked once up front, so a bad argument fails the subscription instead of every value.
      const base = completenessQuery({ ...args, within: args.within ? { id: String(args.within.id) } : null }, localDate(ctx.now(), ctx.timeZone));
      const listMissing = selects(info, ['sites', 'missing']);
      const key = `reportingCompleteness:${base.within ?? ''}:${[...base.kinds].sort().join(',')}:${base.graceMinutes}:${listMissing ? 'missing' : ''}`;
      return liveFeed(ctx).watch<ReportingCompleteness>(key, {
        relevant: isReportEvent,
        refreshMs: CLOCK_REFRESH_MS,
        compute: () => {
          const now = ctx.now();
          const day = localDate(now, ctx.timeZone);
          return computeCompleteness(ctx.prisma, { ...base, from: day, to: day }, ctx.timeZone, now, { listMissing, allSites: false });
        },
      });
    },
    resolve: (value) => value,
  }),
}));
