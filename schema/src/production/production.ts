import { createContextCache } from '@pothos/core';
import { dayKey, perDayLoader } from '../core/daily-loader.ts';
import { builder } from '../core/builder.ts';
import { asks } from '../core/selection.ts';
import { ReportSource } from '../core/reports.ts';
import type { Context } from '../core/context.ts';
import { checkPageSize } from '../core/pagination.ts';
import { AreaRef, withinAreaPath } from '../places/places.ts';
import { ProductRef } from '../supplies/supplies.ts';
import { outputByLine, type OutputTotals } from './output.ts';
import { localDate, localDay } from '@fangkong/zone';
import { renamed } from '../core/renamed.ts';
import { prismaEnum } from '../core/enums.ts';
import { $Enums, type OutputReport } from '@fangkong/prisma';
import { historyPage, type HistoryConnection } from '../core/history-pages.ts';

export const Sector = prismaEnum($Enums.Sector, 'Sector', 'What an enterprise makes.', {
  SANITARY_MATERIALS: 'Sanitary materials (卫生材料).',
  PROTECTIVE_EQUIPMENT: 'Masks and protective equipment.',
  PHARMACEUTICALS: 'Medicines (制药).',
  MEMBRANE_MATERIALS: 'Membrane materials (膜材料, the "China Membrane Valley").',
});

export const ResumptionStatus = prismaEnum($Enums.ResumptionStatus, 'ResumptionStatus', "Where an enterprise stands on resuming work (复产复工).", {
  NOT_APPLIED: 'Has not applied.',
  APPLIED: 'Application submitted, awaiting decision.',
  APPROVED: 'Approved to resume.',
  RESUMED: 'Working again.',
  REJECTED: 'Application rejected.',
});

export const LineStatus = prismaEnum($Enums.LineStatus, 'LineStatus', 'A production line moves installing → commissioning → producing, and may go idle or halt.', {
  INSTALLING: 'Equipment being installed.',
  COMMISSIONING: 'Being tested and tuned.',
  PRODUCING: 'In production.',
  IDLE: 'Ready but not producing (e.g. waiting for materials).',
  HALTED: 'Stopped.',
});

export const OutputTotalsRef = builder.objectRef<OutputTotals>('OutputTotals').implement({
  description: 'Output summed over current reports (a corrected report counts once, in its latest version).',
  fields: (t) => ({
    produced: t.exposeInt('produced', { description: 'Units produced.' }),
    passedQc: t.exposeInt('passedQc', { description: 'Units that passed quality control.' }),
    reports: t.exposeInt('reports', { nullable: true, description: 'Number of current reports summed. Null in APPROVED figures (an approval stores units, not reports).' }),
    simulatedReports: t.exposeInt('simulatedReports', {
      nullable: true,
      description: 'How many of those are simulated; label the figure when above 0. Null in APPROVED figures (an approval stores units, not reports).',
    }),
  }),
});

export const EnterpriseRef = builder.prismaNode('Enterprise', {
  nullable: true,
  authScopes: { reference: true },
  description: 'An enterprise in the zone, especially those making supplies for the epidemic.',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('id', { description: 'Stable readable identifier, e.g. "yizhonghong".' }),
    name: t.exposeString('name', { description: 'Chinese name.' }),
    nameEn: t.exposeString('nameEn', { description: 'English gloss.' }),
    sector: t.expose('sector', { type: Sector, description: 'What it makes.' }),
    resumptionStatus: t.expose('resumptionStatus', { type: ResumptionStatus, description: 'Where it stands on resuming work.' }),
    description: t.exposeString('description', { nullable: true, description: 'What the record says about it.' }),
    area: t.relation('area', { nullable: true, description: 'Where it is located.' }),
    lines: t.relation('lines', { description: 'Its production lines.', query: { orderBy: { id: 'asc' } } }),
  }),
});

export const ProductionLineRef = builder.prismaNode('ProductionLine', {
  nullable: true,
  authScopes: { reference: true },
  description: 'One production line, with its product, rated capacity and status.',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('id', { description: 'Stable readable identifier, e.g. "yizhonghong-line-1".' }),
    name: t.exposeString('name', { description: 'Chinese name.' }),
    nameEn: t.exposeString('nameEn', { description: 'English gloss.' }),
    enterprise: t.relation('enterprise', { description: 'The enterprise running it.' }),
    product: t.relation('product', { description: 'What it makes.' }),
    ratedDailyCapacity: t.exposeInt('ratedDailyCapacity', { description: 'Rated output per 24 hours, in product units.' }),
    status: t.expose('status', { type: LineStatus, description: 'Current status.' }),
    statusChangedAt: t.expose('statusChangedAt', { type: 'DateTime', description: 'When the status last changed.' }),
    statusHistory: t.relation('statusHistory', { description: 'Every status change, oldest first.', query: { orderBy: { at: 'asc' } } }),
    outputReports: t.connection(
      {
        type: OutputReportRef,
        authScopes: (line) => ({ records: true, operates: line.id }),
        description: 'Output reports, newest period first; superseded versions left out unless asked.',
        args: { includeSuperseded: t.arg.boolean({ required: false, defaultValue: false, description: 'Also list replaced versions.' }) },
        resolve: (line, args, ctx, info) => historyPage<OutputReport>(ctx, 'OutputReport', line.id, args, asks(info, ['totalCount'])),
      },
      { fields: (c) => ({ totalCount: c.int({ description: 'Number of results across all pages.', resolve: (page) => (page as unknown as HistoryConnection<unknown>).totalCount() }) }) },
    ),
    today: t.field({
      authScopes: (line) => ({ aggregates: true, operates: line.id }),
      type: OutputTotalsRef,
      description: "Today's output (the zone's reporting day).",
      resolve: (line, _args, ctx) => dailyOutput(ctx).load(dayKey(localDate(ctx.now(), ctx.timeZone), line.id)),
    }),
    outputOn: t.field({
      authScopes: (line) => ({ aggregates: true, operates: line.id }),
      type: OutputTotalsRef,
      description: 'Output of one reporting day.',
      args: { day: t.arg({ type: 'Date', required: true, description: 'The local day.' }) },
      resolve: (line, args, ctx) => dailyOutput(ctx).load(dayKey(args.day, line.id)),
    }),
    utilization: t.float({
      authScopes: (line) => ({ aggregates: true, operates: line.id }),
      nullable: true,
      description:
        "Today's output against rated capacity for the part of the day elapsed (1.0 = running at rated speed); null without capacity.",
      resolve: async (line, _args, ctx) => {
        const now = ctx.now();
        const day = localDay(localDate(now, ctx.timeZone), ctx.timeZone);
        const elapsed = (now.getTime() - day.start.getTime()) / (day.end.getTime() - day.start.getTime());
        if (line.ratedDailyCapacity <= 0 || elapsed <= 0) return null;
        const output = await dailyOutput(ctx).load(dayKey(day.day, line.id));
        return output.produced / (line.ratedDailyCapacity * elapsed);
      },
    }),
  }),
});

/** Per-request batch: a page of lines costs one statement per distinct day. */
const dailyOutput = createContextCache((ctx: Context) =>
  perDayLoader<OutputTotals>(ctx, (ids, day) => outputByLine(ctx.prisma, ids, day.start, day.end)),
);

builder.prismaObject('LineStatusChange', {
  authScopes: { reference: true },
  description: 'One status change of a production line.',
  fields: (t) => ({
    from: t.expose('from', { type: LineStatus, nullable: true, description: 'Status before; null for the first.' }),
    to: t.expose('to', { type: LineStatus, description: 'Status after.' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it changed.' }),
    note: t.exposeString('note', { nullable: true, description: 'Why.' }),
    changedBy: t.exposeString('changedBy', { description: 'Who recorded it.' }),
  }),
});

export const OutputReportRef = builder.prismaNode('OutputReport', {
  nullable: true,
  authScopes: (report) => ({ records: true, operates: report.lineId }),
  description: 'Output one line reported for one interval; a correction is a new report that supersedes it.',
  id: { field: 'id' },
  fields: (t) => ({
    line: t.relation('line', { description: 'The reporting line.' }),
    periodStart: t.expose('periodStart', { type: 'DateTime', description: 'Start of the interval.' }),
    periodEnd: t.expose('periodEnd', { type: 'DateTime', description: 'End of the interval.' }),
    produced: t.exposeInt('produced', { description: 'Units produced.' }),
    passedQc: t.exposeInt('passedQc', { description: 'Units that passed quality control.' }),
    source: t.expose('source', { type: ReportSource, description: 'Manual or simulated.' }),
    reportedBy: t.exposeString('reportedBy', { description: 'Who submitted it.' }),
    reportedAt: t.expose('createdAt', { type: 'DateTime', description: 'When the platform received it.' }),
    supersededAt: t.expose('supersededAt', { type: 'DateTime', nullable: true, description: 'When a correction replaced it.' }),
    correctionReason: t.exposeString('correctionReason', { nullable: true, description: 'Why this version corrects an earlier one.' }),
  }),
});

builder.queryFields((t) => ({
  enterprises: t.prismaConnection(
    {
      authScopes: { reference: true },
      type: 'Enterprise',
      cursor: 'id',
      description: 'Enterprises, optionally by sector or area.',
      args: {
        sector: t.arg({ type: Sector, required: false, description: 'Only this sector.' }),
        within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only enterprises in this area or below.' }),
      },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.enterprise.findMany({ ...query, where: enterprisesWhere(args), orderBy: { id: 'asc' } });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.enterprise.count({ where: enterprisesWhere(args) }),
    },
    { description: 'A page of enterprises.' },
  ),
  productionLines: t.prismaConnection(
    {
      authScopes: { reference: true },
      type: 'ProductionLine',
      cursor: 'id',
      description: 'Production lines, optionally by enterprise, product or status.',
      args: {
        enterpriseId: t.arg.globalID({ for: EnterpriseRef, required: false, description: 'Only this enterprise.' }),
        productId: t.arg.globalID({ for: ProductRef, required: false, description: 'Only lines making this product.' }),
        enterprise: t.arg.globalID({ for: EnterpriseRef, required: false, description: 'Only this enterprise.', deprecationReason: 'Use enterpriseId.' }),
        product: t.arg.globalID({ for: ProductRef, required: false, description: 'Only lines making this product.', deprecationReason: 'Use productId.' }),
        status: t.arg({ type: LineStatus, required: false, description: 'Only lines in this status.' }),
      },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.productionLine.findMany({ ...query, where: linesWhere({ ...args, enterprise: renamed(args, 'enterpriseId', 'enterprise'), product: renamed(args, 'productId', 'product') }), orderBy: { id: 'asc' } });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.productionLine.count({ where: linesWhere({ ...args, enterprise: renamed(args, 'enterpriseId', 'enterprise'), product: renamed(args, 'productId', 'product') }) }),
    },
    { description: 'A page of production lines.' },
  ),
}));

function enterprisesWhere(args: { sector?: $Enums.Sector | null; within?: { id: string } | null }) {
  return { ...(args.sector ? { sector: args.sector } : {}), ...(args.within ? { area: withinAreaPath(args.within.id) } : {}) };
}

function linesWhere(args: {
  enterprise?: { id: string } | null;
  product?: { id: string } | null;
  status?: $Enums.LineStatus | null;
}) {
  return {
    ...(args.enterprise ? { enterpriseId: args.enterprise.id } : {}),
    ...(args.product ? { productId: args.product.id } : {}),
    ...(args.status ? { status: args.status } : {}),
  };
}
