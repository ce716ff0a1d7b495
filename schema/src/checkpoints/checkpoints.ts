import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { dayKey } from '../core/daily-loader.ts';
import { builder } from '../core/builder.ts';
import { asks } from '../core/selection.ts';
import { countsAndLastReportQuery, countsByCheckpoint, lastReportByCheckpoint, toCounts, type CheckpointCounts, zeroCounts } from './counts.ts';
import { checkPageSize } from '../core/pagination.ts';
import { AreaRef, withinAreaPath } from '../places/places.ts';
import { TimeRangeInput } from '../core/time-range.ts';
import { historyPage, type HistoryConnection } from '../core/history-pages.ts';
import { type Listing, type NestedConnection, NO_FILTER, nestedPage } from '../core/nested-pages.ts';
import type { Context } from '../core/context.ts';
import { CHECKPOINT_FIGURES, type CheckpointFigure, localDate, localDay } from '@fangkong/zone';
import { ReportSource } from '../core/reports.ts';
import { prismaEnum } from '../core/enums.ts';
import { $Enums, type Checkpoint, type CheckpointReport } from '@fangkong/prisma';

export const CheckpointKind = prismaEnum($Enums.CheckpointKind, 'CheckpointKind', 'What sort of site a checkpoint is.', {
  EXPRESSWAY_EXIT: 'An expressway exit (高速出口).',
  ROAD: 'A road checkpoint.',
  COMPOUND_GATE: 'The gate of a residential compound.',
  MARKET: 'A market (e.g. the Lubao vegetable market).',
  SUPERMARKET: 'A supermarket entrance.',
});

export const CheckpointStatus = prismaEnum($Enums.CheckpointStatus, 'CheckpointStatus', 'Whether a checkpoint is operating.', {
  ACTIVE: 'Operating and expected to report.',
  CLOSED: 'Closed; no reports expected.',
});

/** The six figures as Int fields, described as zone describes them; for a report and for sums of reports alike. */
function figureFields<T extends { exposeInt: (...args: never[]) => unknown }>(t: T): Record<CheckpointFigure, ReturnType<T['exposeInt']>> {
  const exposeInt = t.exposeInt.bind(t) as unknown as (name: string, options: { description: string }) => ReturnType<T['exposeInt']>;
  return Object.fromEntries(CHECKPOINT_FIGURES.map((figure) => [figure.name, exposeInt(figure.name, { description: figure.description })])) as Record<CheckpointFigure, ReturnType<T['exposeInt']>>;
}

export const CheckpointCountsRef = builder.objectRef<CheckpointCounts>('CheckpointCounts').implement({
  description: 'Screening figures summed over current reports (a corrected report counts once, in its latest version).',
  fields: (t) => ({
    ...figureFields(t),
    reports: t.exposeInt('reports', { description: 'Number of current reports summed.' }),
    simulatedReports: t.exposeInt('simulatedReports', { description: 'How many of those reports are simulated; show a "simulated" label when above 0.' }),
  }),
});

export const CheckpointRef = builder.prismaNode('Checkpoint', {
  nullable: true,
  authScopes: { reference: true },
  description: 'A place where people and vehicles are screened (疫情检查点).',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('id', { description: 'Stable readable identifier, e.g. "yingbin-road-exit".' }),
    name: t.exposeString('name', { description: 'Chinese name.' }),
    nameEn: t.exposeString('nameEn', { description: 'English gloss.' }),
    kind: t.expose('kind', { type: CheckpointKind, description: 'What sort of site it is.' }),
    status: t.expose('status', { type: CheckpointStatus, description: 'Operating or closed.' }),
    hasPartyBranch: t.exposeBoolean('hasPartyBranch', { description: 'A temporary Party branch (临时党支部) runs the site.' }),
    usesQrScan: t.exposeBoolean('usesQrScan', { description: 'People are registered by QR-code scanning at the gate.' }),
    hasIsolationArea: t.exposeBoolean('hasIsolationArea', { description: 'The site has a temporary isolation area.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the record says about the site.' }),
    openedAt: t.expose('openedAt', { type: 'DateTime', nullable: true, description: 'When screening started here.' }),
    closedAt: t.expose('closedAt', { type: 'DateTime', nullable: true, description: 'When the site closed, if it has.' }),
    reportIntervalMinutes: t.exposeInt('reportIntervalMinutes', { description: 'How often the site is expected to report.' }),
    area: t.relation('area', { description: 'The area the site is in.' }),
    staffingDepartments: t.prismaField({
      type: ['Department'],
      description: 'Units that staff the site jointly.',
      select: (_args, _ctx, nestedSelection) => ({ staffing: { select: { department: nestedSelection(true) }, orderBy: { departmentId: 'asc' } } }),
      resolve: (_query, checkpoint) => checkpoint.staffing.map((s) => s.department),
    }),
    reports: t.connection(
      {
        type: CheckpointReportRef,
        authScopes: (checkpoint) => ({ records: true, operates: checkpoint.id }),
        description: 'Reports, newest period first. Superseded versions are left out unless includeSuperseded is set.',
        args: {
          includeSuperseded: t.arg.boolean({ required: false, defaultValue: false, description: 'Also list reports a correction replaced.' }),
          period: t.arg({ type: TimeRangeInput, required: false, description: 'Only reports whose period starts in this window.' }),
        },
        resolve: (checkpoint, args, ctx, info) => historyPage<CheckpointReport>(ctx, 'CheckpointReport', checkpoint.id, args, asks(info, ['totalCount'])),
      },
      { fields: (c) => ({ totalCount: c.int({ description: 'Number of results across all pages.', resolve: (page) => (page as unknown as HistoryConnection<unknown>).totalCount() }) }) },
    ),
    today: t.field({
      authScopes: (checkpoint) => ({ aggregates: true, operates: checkpoint.id }),
      type: CheckpointCountsRef,
      description: "Today's figures (the zone's reporting day, 00:00 to 24:00 local time).",
      resolve: (checkpoint, _args, ctx) => countsOf(ctx, localDate(ctx.now(), ctx.timeZone), checkpoint.id),
    }),
    countsOn: t.field({
      authScopes: (checkpoint) => ({ aggregates: true, operates: checkpoint.id }),
      type: CheckpointCountsRef,
      description: 'The figures of one reporting day.',
      args: { day: t.arg({ type: 'Date', required: true, description: 'The local day.' }) },
      resolve: (checkpoint, args, ctx) => countsOf(ctx, args.day, checkpoint.id),
    }),
    lastReportAt: t.field({
      authScopes: (checkpoint) => ({ aggregates: true, operates: checkpoint.id }),
      type: 'DateTime',
      nullable: true,
      description: 'End of the latest period reported, if any.',
      resolve: (checkpoint, _args, ctx) => lastReportOf(ctx, checkpoint.id),
    }),
    isStale: t.boolean({
      authScopes: (checkpoint) => ({ aggregates: true, operates: checkpoint.id }),
      description: 'An active site with nothing reported within its expected interval (or never).',
      resolve: async (checkpoint, _args, ctx) => {
        if (checkpoint.status !== 'ACTIVE') return false;
        const last = await lastReportOf(ctx, checkpoint.id);
        return !last || ctx.now().getTime() - last.getTime() > checkpoint.reportIntervalMinutes * 60_000;
      },
    }),
  }),
});

/**
 * Per-request batches of what a site's figures read: its counts on a day (key dayKey(day, id)) and
 * its latest report (key lastKey(id)). A page of checkpoints costs one statement per distinct day,
 * not one per row, and the latest reports are read in the first day's statement when both are asked.
 */
const siteFigures = createContextCache(
  (ctx: Context) =>
    new DataLoader<string, CheckpointCounts | Date | null>(async (keys) => {
      const last = new Set<string>();
      const byDay = new Map<string, Set<string>>();
      for (const key of keys) {
        const [day, id] = key.split('|') as [string, string];
        if (day === LAST) last.add(id);
        else {
          const ids = byDay.get(day);
          if (ids) ids.add(id);
          else byDay.set(day, new Set([id]));
        }
      }
      const found = new Map<string, CheckpointCounts | Date | null>();
      let lastRead = last.size === 0;
      for (const [day, ids] of byDay) {
        const { start, end } = localDay(day, ctx.timeZone);
        if (!lastRead) {
          lastRead = true;
          for (const row of await countsAndLastReportQuery(ctx.prisma, [...new Set([...ids, ...last])], start, end, ctx.timeZone)) {
            if (ids.has(row.checkpointId)) found.set(dayKey(day, row.checkpointId), toCounts(row));
            if (last.has(row.checkpointId)) found.set(lastKey(row.checkpointId), row.lastReportAt === null ? null : new Date(row.lastReportAt));
          }
          continue;
        }
        const list = [...ids];
        const counts = await countsByCheckpoint(ctx.prisma, list, start, end, ctx.timeZone);
        for (const [i, id] of list.entries()) found.set(dayKey(day, id), counts[i]!);
      }
      if (!lastRead) {
        const ids = [...last];
        const at = await lastReportByCheckpoint(ctx.prisma, ids);
        for (const [i, id] of ids.entries()) found.set(lastKey(id), at[i]!);
      }
      return keys.map((key) => (found.has(key) ? found.get(key)! : key.startsWith(`${LAST}|`) ? null : zeroCounts()));
    }),
);

const LAST = 'last';
const lastKey = (id: string) => dayKey(LAST, id);
const countsOf = (ctx: Context, day: string, id: string) => siteFigures(ctx).load(dayKey(day, id)) as Promise<CheckpointCounts>;
const lastReportOf = (ctx: Context, id: string) => siteFigures(ctx).load(lastKey(id)) as Promise<Date | null>;

/** An area's checkpoints, by id: each area's page cut in the database, whatever the area holds. */
const CHECKPOINTS_OF_AREA: Listing = { table: 'Checkpoint', parent: 'areaId', order: ['id'], descending: false };

builder.objectField(AreaRef, 'checkpoints', (t) =>
  t.connection(
    {
      type: CheckpointRef,
      description: 'Checkpoints placed directly in this area.',
      resolve: (area, args, ctx, info) => nestedPage<Checkpoint>(ctx, CHECKPOINTS_OF_AREA, NO_FILTER, area.id, args, asks(info, ['totalCount'])),
    },
    { fields: (c) => ({ totalCount: c.int({ description: 'Number of results across all pages.', resolve: (page) => (page as unknown as NestedConnection<unknown>).totalCount() }) }) },
  ),
);

builder.queryFields((t) => ({
  checkpoints: t.prismaConnection(
    {
      authScopes: { reference: true },
      type: 'Checkpoint',
      cursor: 'id',
      description: 'Checkpoints, filtered and ordered.',
      args: {
        kinds: t.arg({ type: [CheckpointKind], required: false, description: 'Only these kinds.' }),
        status: t.arg({ type: CheckpointStatus, required: false, description: 'Only active or only closed sites.' }),
        within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only sites in this area or below it.' }),
      },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.checkpoint.findMany({ ...query, where: checkpointsWhere(args), orderBy: [{ kind: 'asc' }, { id: 'asc' }] });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.checkpoint.count({ where: checkpointsWhere(args) }),
    },
    { description: 'A page of checkpoints.' },
  ),
}));

function checkpointsWhere(args: {
  kinds?: readonly $Enums.CheckpointKind[] | null;
  status?: $Enums.CheckpointStatus | null;
  within?: { id: string } | null;
}) {
  return {
    ...(args.kinds ? { kind: { in: [...args.kinds] } } : {}),
    ...(args.status ? { status: args.status } : {}),
    ...(args.within ? { area: withinAreaPath(args.within.id) } : {}),
  };
}

export const CheckpointReportRef = builder.prismaNode('CheckpointReport', {
  nullable: true,
  // Analysts and commanders read every report; an operator the reports of its own checkpoints.
  authScopes: (report) => ({ records: true, operates: report.checkpointId }),
  description: 'Figures one checkpoint reported for one interval. A correction is a new report that supersedes this one.',
  id: { field: 'id' },
  fields: (t) => ({
    checkpoint: t.relation('checkpoint', { description: 'The reporting site.' }),
    periodStart: t.expose('periodStart', { type: 'DateTime', description: 'Start of the interval.' }),
    periodEnd: t.expose('periodEnd', { type: 'DateTime', description: 'End of the interval.' }),
    ...figureFields(t),
    source: t.expose('source', { type: ReportSource, description: 'Manual, gate scan or simulated.' }),
    reportedBy: t.exposeString('reportedBy', { description: 'Who submitted it (token label or system).' }),
    reportedAt: t.expose('createdAt', { type: 'DateTime', description: 'When the platform received it.' }),
    supersededAt: t.expose('supersededAt', { type: 'DateTime', nullable: true, description: 'When a correction replaced it; null while current.' }),
    correctionReason: t.exposeString('correctionReason', { nullable: true, description: 'Why this version corrects an earlier one.' }),
    supersedes: t.relation('supersedes', { nullable: true, description: 'The earlier version this one corrects.' }),
    supersededBy: t.relation('supersededBy', { nullable: true, description: 'The correction that replaced this one.' }),
  }),
});
