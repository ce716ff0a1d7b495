import { type DayApproval, outboxPosition, Prisma } from '@fangkong/prisma';
import { localDay } from '@fangkong/zone';
import { builder } from '../core/builder.ts';
import { commitChange, type Tx } from '../core/changes.ts';
import type { Context } from '../core/context.ts';
import type { OutboxEvent } from '../core/live.ts';
import { liveFeed } from '../core/live-values.ts';
import { Rules } from '../core/rules.ts';
import { InvalidStateError, NotFoundError, ValidationError } from '../core/write-errors.ts';
import { AreaRef } from '../places/places.ts';
import { AreaTotalsRef, computeAreaTotals, type AreaTotals } from '../summary/area-totals.ts';
import { ZoneSummaryRef } from '../summary/zone-summary.ts';
import { checkDayArgument, ReportingCompletenessRef } from './completeness.ts';
import { type Basis, basisArg, basisFor, FiguresBasis } from './figures-basis.ts';

// Signing off a day: a commander (or admin) approves an area's figures for a local day once it is
// over. The approval stores the totals as they were and the outbox position they include, and locks
// the day for the area and everything below it: the database refuses reports and corrections whose
// period starts in it (migration day_approval) until the day is reopened, with a reason. Every
// approval is a new version; reopening marks the standing one, never deletes it.

const DayStatus = builder.enumType('DayApprovalStatus', {
  description: "Where an area's day stands in sign-off.",
  values: {
    OPEN: { description: 'Never approved: figures are provisional and may change.' },
    APPROVED: { description: 'Approved and locked: reports and corrections of the day in the area are refused.' },
    REOPENED: { description: 'Approved before, then reopened for corrections; provisional until approved again.' },
  } as const,
});

interface DayState {
  areaId: string;
  day: string;
  versions: DayApproval[];
}

const statusOf = (state: DayState) => {
  const latest = state.versions.at(-1);
  return !latest ? 'OPEN' : latest.reopenedAt ? 'REOPENED' : 'APPROVED';
};

const DayApprovalVersionRef = builder.objectRef<DayApproval>('DayApprovalVersion').implement({
  description: "One approved version of an area's figures for a day, as approved.",
  fields: (t) => ({
    version: t.exposeInt('version', { description: '1 for the first approval, then one more per re-approval.' }),
    approvedBy: t.exposeString('approvedBy', { description: 'Who approved (the token\'s role and label).' }),
    approvedAt: t.expose('approvedAt', { type: 'DateTime', description: 'When.' }),
    asOfSeq: t.field({ type: 'Seq', description: 'The last outbox event the approved totals include.', resolve: (a) => a.asOfSeq }),
    totals: t.field({ type: AreaTotalsRef, description: 'The totals as approved.', resolve: (a) => a.totals as unknown as AreaTotals }),
    reopenedAt: t.expose('reopenedAt', { type: 'DateTime', nullable: true, description: 'When this version was reopened; null while it stands.' }),
    reopenedBy: t.exposeString('reopenedBy', { nullable: true, description: 'Who reopened it.' }),
    reopenReason: t.exposeString('reopenReason', { nullable: true, description: 'Why.' }),
  }),
});

const DayApprovalStateRef = builder.objectRef<DayState>('DayApprovalState').implement({
  description: "Sign-off of one area's figures for one local day, with every version approved.",
  fields: (t) => ({
    area: t.prismaField({ type: 'Area', description: 'The area.', resolve: (query, s, _args, ctx) => ctx.prisma.area.findUniqueOrThrow({ ...query, where: { id: s.areaId } }) }),
    day: t.field({ type: 'Date', description: 'The local day.', resolve: (s) => s.day }),
    status: t.field({ type: DayStatus, description: 'Open, approved (locked) or reopened.', resolve: statusOf }),
    latest: t.field({ type: DayApprovalVersionRef, nullable: true, description: 'The latest approved version (reopened or not); null if never approved.', resolve: (s) => s.versions.at(-1) ?? null }),
    versions: t.field({ type: [DayApprovalVersionRef], description: 'Every approved version, oldest first.', resolve: (s) => s.versions }),
  }),
});

async function dayState(prisma: Pick<Tx, 'dayApproval'>, areaId: string, day: string): Promise<DayState> {
  return { areaId, day, versions: await prisma.dayApproval.findMany({ where: { areaId, day }, orderBy: { version: 'asc' } }) };
}

const DayApprovalPayload = builder.objectRef<{ approval: DayApproval; state: DayState }>('DayApprovalPayload').implement({
  description: 'The version approved or reopened, and where the day now stands.',
  fields: (t) => ({
    approval: t.field({ type: DayApprovalVersionRef, description: 'The version concerned.', resolve: (p) => p.approval }),
    state: t.field({ type: DayApprovalStateRef, description: 'The day now.', resolve: (p) => p.state }),
  }),
});

/** A day given as an argument: a real date whose 24:00 has passed. */
function checkDayOver(day: string, ctx: Context) {
  checkDayArgument(day, 'day');
  const range = localDay(day, ctx.timeZone);
  if (range.end > ctx.now()) throw new ValidationError([{ field: 'day', message: `${day} is not over yet (it ends ${range.end.toISOString()}); a day is approved once it is over` }]);
  return range;
}

const toJson = (value: unknown) => JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))) as Prisma.InputJsonValue;

/** A unique violation: another approval of the same area and day committed first. */
const isUniqueViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';

builder.mutationFields((t) => ({
  approveDay: t.field({
    authScopes: { command: true },
    type: DayApprovalPayload,
    description:
      "Approve an area's figures for a local day that is over: stores the totals as they are and the outbox position they include, and locks the day for the area and every site below it (reports and corrections of it are refused with DayLockedError until reopenDay). Commanders and admins.",
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      areaId: t.arg.globalID({ for: AreaRef, required: true, description: 'The area (its sites and compounds at any depth below it).' }),
      day: t.arg({ type: 'Date', required: true, description: 'The local day.' }),
    },
    resolve: async (_root, args, ctx) => {
      const areaId = String(args.areaId.id);
      const range = checkDayOver(args.day, ctx);
      try {
        return await commitChange(ctx, async (tx) => {
          if (!(await tx.area.findUnique({ where: { id: areaId }, select: { id: true } }))) throw new NotFoundError('area', areaId, 'areaId');
          // Reports being written finish first, and new ones wait until this commits: the totals and
          // asOfSeq below are read with nothing of the day changing in between, and the day is locked
          // by the time anything else is written.
          await tx.$executeRaw`LOCK TABLE "CheckpointReport", "OutputReport" IN SHARE MODE`;
          const before = await dayState(tx, areaId, args.day);
          if (statusOf(before) === 'APPROVED') {
            throw new InvalidStateError('day', 'APPROVED', `${args.day} is already approved for ${areaId} (version ${before.versions.at(-1)!.version}); reopen it first to approve again`);
          }
          // The outbox position every reader may have taken (prisma/src/outbox.ts), not MAX(seq): an
          // event of a transaction still running may carry a smaller seq than a committed one.
          const [seq] = await outboxPosition(tx);
          const [totals] = await computeAreaTotals(tx, range, ctx.now(), areaId, null, { only: true });
          const approval = await tx.dayApproval.create({
            data: {
              areaId,
              day: args.day,
              dayStart: range.start,
              dayEnd: range.end,
              version: (before.versions.at(-1)?.version ?? 0) + 1,
              approvedBy: ctx.actor,
              approvedAt: ctx.now(),
              asOfSeq: seq?.seq ?? 0n,
              totals: toJson(totals),
            },
          });
          const state = { ...before, versions: [...before.versions, approval] };
          return {
            value: { approval, state },
            change: {
              type: 'dayApproval:approved',
              entityType: 'DayApproval',
              entityId: approval.id,
              after: toJson(approval),
              payload: { areaId, day: args.day, version: approval.version, asOfSeq: approval.asOfSeq.toString() },
            },
          };
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw new InvalidStateError('day', 'APPROVED', `${args.day} was just approved for ${areaId} by someone else`);
        throw error;
      }
    },
  }),
  reopenDay: t.field({
    authScopes: { command: true },
    type: DayApprovalPayload,
    description: 'Reopen an approved day of an area for corrections, with a reason (audited). The approved version stays in history; approve again to sign off the corrected figures.',
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      areaId: t.arg.globalID({ for: AreaRef, required: true, description: 'The area whose approval stands.' }),
      day: t.arg({ type: 'Date', required: true, description: 'The local day.' }),
      reason: t.arg.string({ required: true, description: 'Why the approved figures must change.' }),
    },
    resolve: async (_root, args, ctx) => {
      const areaId = String(args.areaId.id);
      new Rules().text('reason', args.reason, { required: true, max: 1000 }).check();
      return commitChange(ctx, async (tx) => {
        const before = await dayState(tx, areaId, args.day);
        const standing = before.versions.find((v) => !v.reopenedAt);
        if (!standing) throw new InvalidStateError('day', statusOf(before), `${args.day} is not approved for ${areaId}; nothing to reopen`);
        const reopened = await tx.dayApproval.updateMany({
          where: { id: standing.id, reopenedAt: null },
          data: { reopenedAt: ctx.now(), reopenedBy: ctx.actor, reopenReason: args.reason.trim() },
        });
        if (reopened.count !== 1) throw new InvalidStateError('day', 'REOPENED', `${args.day} was just reopened for ${areaId} by someone else`);
        const approval = await tx.dayApproval.findUniqueOrThrow({ where: { id: standing.id } });
        return {
          value: { approval, state: { ...before, versions: before.versions.map((v) => (v.id === approval.id ? approval : v)) } },
          change: {
            type: 'dayApproval:reopened',
            entityType: 'DayApproval',
            entityId: approval.id,
            before: toJson(standing),
            after: toJson(approval),
            payload: { areaId, day: args.day, version: approval.version, reason: approval.reopenReason },
          },
        };
      });
    },
  }),
}));

// ───────────────────────────── reading ─────────────────────────────

interface AreaFigures {
  basis: Basis;
  areaId: string;
  day: string;
  approval: DayApproval | null;
  totals: AreaTotals | null;
  status: string;
}

const AreaFiguresRef = builder.objectRef<AreaFigures>('AreaDayFigures').implement({
  description: "An area's figures for one local day, saying whether they are approved or live (provisional).",
  fields: (t) => ({
    basis: t.field({ type: FiguresBasis, description: 'APPROVED (signed off) or LIVE (provisional).', resolve: (f) => f.basis }),
    status: t.field({ type: DayStatus, description: "The day's sign-off now (LIVE figures of an APPROVED day equal its standing version).", resolve: (f) => f.status as never }),
    day: t.field({ type: 'Date', description: 'The local day.', resolve: (f) => f.day }),
    approval: t.field({ type: DayApprovalVersionRef, nullable: true, description: 'The approved version shown (APPROVED), or the standing one (LIVE); null when none.', resolve: (f) => f.approval }),
    totals: t.field({ type: AreaTotalsRef, nullable: true, description: 'The figures; null when APPROVED figures were asked for and the day was never approved.', resolve: (f) => f.totals }),
  }),
});

builder.objectField(ZoneSummaryRef, 'approvals', (t) =>
  t.field({
    type: [DayApprovalVersionRef],
    description:
      "APPROVED: the approved versions the figures are (the latest of the day for `within`, or for each of the zone's root areas); empty when the day was never approved. LIVE: empty.",
    resolve: (s) => s.approved?.approvals ?? [],
  }),
);
builder.objectField(ReportingCompletenessRef, 'basis', (t) =>
  t.field({
    type: FiguresBasis,
    description: 'Always LIVE: the reports current as of asOfSeq (an approval signs off totals, not who reported; see dayApproval).',
    resolve: () => 'LIVE' as const,
  }),
);

builder.queryFields((t) => ({
  dayApproval: t.field({
    authScopes: { aggregates: true },
    type: DayApprovalStateRef,
    description: "Sign-off of an area's figures for a local day: status and every approved version.",
    args: {
      areaId: t.arg.globalID({ for: AreaRef, required: true, description: 'The area.' }),
      day: t.arg({ type: 'Date', required: true, description: 'The local day.' }),
    },
    resolve: (_root, args, ctx) => dayState(ctx.prisma, String(args.areaId.id), args.day),
  }),
  areaDayFigures: t.field({
    authScopes: { aggregates: true },
    type: AreaFiguresRef,
    nullable: true,
    description:
      "An area's figures for a local day, APPROVED (the latest approved version, or none yet) or LIVE (provisional). Partners get APPROVED unless they ask; everyone else LIVE.",
    args: {
      areaId: t.arg.globalID({ for: AreaRef, required: true, description: 'The area (its sites and compounds at any depth below it).' }),
      day: t.arg({ type: 'Date', required: true, description: 'The local day.' }),
      basis: basisArg(t.arg, 'APPROVED: the latest approved version of the day, or null totals when never approved.'),
    },
    resolve: async (_root, args, ctx) => {
      const areaId = String(args.areaId.id);
      checkDayArgument(args.day, 'day');
      if (!(await ctx.prisma.area.findUnique({ where: { id: areaId }, select: { id: true } }))) return null;
      const basis = basisFor(ctx, args.basis);
      const state = await dayState(ctx.prisma, areaId, args.day);
      const latest = state.versions.at(-1) ?? null;
      if (basis === 'APPROVED') {
        return { basis, areaId, day: args.day, approval: latest, totals: (latest?.totals as unknown as AreaTotals) ?? null, status: statusOf(state) };
      }
      const [totals] = await computeAreaTotals(ctx.prisma, localDay(args.day, ctx.timeZone), ctx.now(), areaId, null, { only: true });
      return { basis, areaId, day: args.day, approval: latest && !latest.reopenedAt ? latest : null, totals: totals ?? null, status: statusOf(state) };
    },
  }),
}));

const isApprovalEvent = (e: OutboxEvent) => e.type.startsWith('dayApproval:');

builder.subscriptionFields((t) => ({
  dayApproval: t.field({
    authScopes: { aggregates: true },
    type: DayApprovalStateRef,
    description: "Sign-off of an area's day: the state now, then a new one after every approval or reopening of it.",
    args: {
      areaId: t.arg.globalID({ for: AreaRef, required: true, description: 'The area.' }),
      day: t.arg({ type: 'Date', required: true, description: 'The local day.' }),
    },
    subscribe: (_root, args, ctx) => {
      const areaId = String(args.areaId.id);
      return liveFeed(ctx).watch<DayState>(`dayApproval:${areaId}:${args.day}`, {
        relevant: (e) => isApprovalEvent(e) && e.payload.areaId === areaId && e.payload.day === args.day,
        compute: () => dayState(ctx.prisma, areaId, args.day),
      });
    },
    resolve: (state) => state,
  }),
}));
