import { type $Enums, type DayApproval, outboxPosition, Prisma, type PrismaClient } from '@fangkong/prisma';
import { builder } from '../core/builder.ts';
import { CheckpointCountsRef, CheckpointKind } from '../checkpoints/checkpoints.ts';
import { toCounts, zeroCounts, type CheckpointCounts } from '../checkpoints/counts.ts';
import { dayCountColumns, dayFigures } from '../checkpoints/day-totals.ts';
import { instant } from '../core/sql.ts';
import { dayFlowsQuery, isBelowSafetyLevel, type ProductRow, stockQuery } from '../supplies/stock.ts';
import { ProductRef } from '../supplies/supplies.ts';
import { localDate, localDay, type LocalDay } from '@fangkong/zone';
import { AreaRef, areaBelow, loadArea } from '../places/places.ts';
import { asks } from '../core/selection.ts';
import type { GraphQLResolveInfo } from 'graphql';
import { approvalAreas, type Basis, basisArg, basisFor, FiguresBasis, latestApprovals } from '../completeness/figures-basis.ts';
import type { AreaTotals } from './area-totals.ts';

type Kind = $Enums.CheckpointKind;

interface ProductionFigures {
  produced: number;
  passedQc: number;
  ratedCapacity: number;
  /** Null in approved figures: an approval stores every line producing, not the mask lines. */
  linesProducing: number | null;
  /** Null in approved figures: an approval stores units, not the reports that made them. */
  simulatedReports: number | null;
}

export interface ZoneSummary {
  day: LocalDay;
  timeZone: string;
  checkpointTotals: CheckpointCounts;
  byCheckpointKind: { kind: Kind; checkpoints: number; counts: CheckpointCounts }[];
  masks: ProductionFigures;
  byProduct: (ProductionFigures & { product: ProductRow })[];
  peopleUnderIsolation: number;
  simulatedIsolationCases: number;
  stock: StockFigures[];
  isolation: IsolationFigures;
  asOf: Date;
  asOfSeq: bigint;
  /** The area the figures are limited to (every site and compound at any depth below it); null: the whole zone. */
  within: string | null;
  basis: Basis;
  /** APPROVED only: the approved versions shown and their totals summed (null: never approved); LIVE: null. */
  approved: ApprovedFigures | null;
}

/** What an APPROVED summary shows: the latest approved version of the day of each area it covers. */
export interface ApprovedFigures {
  approvals: DayApproval[];
  /** The approved totals (summed over the zone's root areas when no area was asked); null when any of them was never approved. */
  totals: AreaTotals | null;
}

interface StockFigures {
  product: ProductRow;
  produced: number;
  allocated: number;
  stock: number;
  safetyLevel: number;
  day: { produced: number; toCity: number; toZone: number };
}

/** Counts of people under home isolation (never who they are): now or at the day's end, and the day's changes. */
interface IsolationCounts {
  underIsolation: number;
  startedOnDay: number;
  endedOnDay: number;
}

interface IsolationFigures extends IsolationCounts {
  byCommunity: (IsolationCounts & { community: { id: string; name: string; nameEn: string } })[];
}

const n = (value: bigint | number | null | undefined) => Number(value ?? 0);

/**
 * The parts of a summary read by statements of their own, which a caller may leave out: a part left
 * out is not read and reads as empty (zeros, no rows). The outbox position is always read.
 */
export interface SummaryParts {
  /** Checkpoint figures (`checkpointTotals`, `byCheckpointKind`, the indicators' screening side). */
  checkpoints: boolean;
  /** Output against capacity (`production`, the indicators' mask side). */
  production: boolean;
  /** Isolation counts (`peopleUnderIsolation`, `isolation`, `simulatedIsolationCases`). */
  isolation: boolean;
  /** Stock per product (`stock`). */
  stock: boolean;
  /** Each product's flows on the day (`stock { day }`). */
  stockFlows: boolean;
  /** Isolation per community (`isolation { byCommunity }`). */
  communities: boolean;
}

export const EVERY_PART: SummaryParts = { checkpoints: true, production: true, isolation: true, stock: true, stockFlows: true, communities: true };

/** The parts the operation asks for below a `zoneSummary` field; what it does not ask is not read. */
export const partsAsked = (info: GraphQLResolveInfo): SummaryParts => {
  // `byArea` reads its own figures, of all three kinds: asked, a live value must change with them.
  const byArea = asks(info, ['byArea']);
  return {
    checkpoints: byArea || asks(info, ['checkpointTotals']) || asks(info, ['byCheckpointKind']) || asks(info, ['indicators']),
    production: byArea || asks(info, ['production']) || asks(info, ['indicators']),
    isolation: byArea || asks(info, ['peopleUnderIsolation']) || asks(info, ['isolation']) || asks(info, ['simulatedIsolationCases']),
    stock: asks(info, ['stock']),
    stockFlows: asks(info, ['stock', 'day']),
    communities: asks(info, ['isolation', 'byCommunity']),
  };
};

/** The kinds of outbox event (type prefixes) that change each part; `seed:loaded` changes them all. */
const PART_EVENTS: Record<Exclude<keyof SummaryParts, 'stockFlows' | 'communities'>, readonly string[]> = {
  checkpoints: ['checkpointReport:', 'gateScans:'],
  production: ['outputReport:', 'productionLine:'],
  isolation: ['isolationCase:'],
  stock: ['outputReport:', 'allocation:', 'product:'],
};

/** Whether an event of this type can change a summary of these parts (flows go with stock, communities with isolation). */
export function changesSummary(parts: SummaryParts, type: string): boolean {
  if (type === 'seed:loaded') return true;
  return (Object.keys(PART_EVENTS) as (keyof typeof PART_EVENTS)[]).some((part) => parts[part] && PART_EVENTS[part].some((prefix) => type.startsWith(prefix)));
}

/** The parts as a short key (live values of different selections are computed apart). */
export const partsKey = (parts: SummaryParts) => (Object.keys(EVERY_PART) as (keyof SummaryParts)[]).map((part) => (parts[part] ? '1' : '0')).join('');

/**
 * The zone's figures for one reporting day, read in one REPEATABLE READ snapshot so that every
 * figure and `asOfSeq` (the last outbox event they include) describe the same moment.
 */
export async function computeZoneSummary(
  client: PrismaClient,
  day: LocalDay,
  timeZone: string,
  now: Date,
  within: string | null = null,
  /** Read in this transaction's snapshot instead (a briefing reads everything in one). */
  tx?: Prisma.TransactionClient,
  /** Parts left out read as empty (SummaryParts); the default reads every part. */
  parts: SummaryParts = EVERY_PART,
): Promise<ZoneSummary> {
  const prisma = tx ?? client;
  // A read left out (null) is not sent and answers no rows.
  const inSnapshot = async <P extends (Prisma.PrismaPromise<unknown[]> | null)[]>(reads: [...P]) => {
    const sent = reads.filter((read): read is Prisma.PrismaPromise<unknown[]> => read !== null);
    const results = await (tx ? Promise.all(sent) : client.$transaction(sent, { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead }));
    let next = 0;
    return reads.map((read) => (read === null ? [] : results[next++])) as { [K in keyof P]: Awaited<NonNullable<P[K]>> };
  };
  // Isolation and stock are states, read at the end of the day, or now for today.
  const at = now < day.end ? now : day.end;
  // An isolation begun or ended on the day: within its 00:00–24:00, up to now for today.
  const onDay = (column: Prisma.Sql) => Prisma.sql`${column} >= ${instant(day.start)} AND ${column} < ${instant(day.end)} AND ${column} <= ${instant(at)}`;
  const inArea = (areaColumn: Prisma.Sql) => (within ? Prisma.sql`AND ${areaColumn} IN (SELECT id FROM "Area" WHERE ${areaBelow(within)})` : Prisma.empty);
  const [seqRows, checkpointRows, productionRows, isolationRows, stockRows, flowRows, communityRows] = await inSnapshot(
    [
      // The newest event below the outbox horizon (prisma/src/outbox.ts): every event up to it is included.
      outboxPosition(prisma),
      !parts.checkpoints ? null : prisma.$queryRaw<(Record<keyof CheckpointCounts, bigint> & { kind: Kind | null; checkpoints: bigint })[]>`
        SELECT c.kind, COUNT(DISTINCT c.id)::bigint AS checkpoints, ${dayCountColumns}
        FROM "Checkpoint" c
        LEFT JOIN ${dayFigures(day, timeZone)} r ON r."checkpointId" = c.id
        WHERE true ${inArea(Prisma.sql`c."areaId"`)}
        GROUP BY GROUPING SETS ((c.kind), ())
        ORDER BY c.kind NULLS FIRST`,
      !parts.production ? null : prisma.$queryRaw<(ProductRow & { grouped: number; produced: bigint; passedQc: bigint; ratedCapacity: bigint; linesProducing: bigint; simulatedReports: bigint })[]>`
        WITH line_state AS (
          SELECT l.id, l."productId", l."ratedDailyCapacity",
            COALESCE((SELECT s."to" FROM "LineStatusChange" s WHERE s."lineId" = l.id AND s.at <= ${instant(at)} ORDER BY s.at DESC LIMIT 1), l.status) AS status
          FROM "ProductionLine" l
          WHERE true ${inArea(Prisma.sql`(SELECT e."areaId" FROM "Enterprise" e WHERE e.id = l."enterpriseId")`)}
        ), line_output AS (
          SELECT o."lineId", SUM(o.produced) AS produced, SUM(o."passedQc") AS "passedQc",
            COUNT(*) FILTER (WHERE o.source = 'SIMULATED') AS simulated
          FROM "OutputReport" o
          WHERE o."supersededAt" IS NULL AND o."periodStart" >= ${instant(day.start)} AND o."periodStart" < ${instant(day.end)}
          GROUP BY o."lineId"
        )
        SELECT p.id, p.name, p."nameEn", p.category, p.unit, p."unitEn", p."safetyLevel", GROUPING(p.id) AS grouped,
          COALESCE(SUM(lo.produced), 0)::bigint AS produced,
          COALESCE(SUM(lo."passedQc"), 0)::bigint AS "passedQc",
          COALESCE(SUM(ls."ratedDailyCapacity") FILTER (WHERE ls.status = 'PRODUCING'), 0)::bigint AS "ratedCapacity",
          COUNT(ls.id) FILTER (WHERE ls.status = 'PRODUCING')::bigint AS "linesProducing",
          COALESCE(SUM(lo.simulated), 0)::bigint AS "simulatedReports"
        FROM "Product" p
        LEFT JOIN line_state ls ON ls."productId" = p.id
        LEFT JOIN line_output lo ON lo."lineId" = ls.id
        GROUP BY GROUPING SETS ((p.id, p.name, p."nameEn", p.category, p.unit, p."unitEn", p."safetyLevel"), (p.category))
        ORDER BY p.category, p.id NULLS FIRST`,
      !parts.isolation ? null : prisma.$queryRaw<{ active: bigint; simulated: bigint; started: bigint; ended: bigint }[]>`
        SELECT COUNT(*) FILTER (WHERE "startedAt" <= ${instant(at)} AND ("endedAt" IS NULL OR "endedAt" > ${instant(at)}))::bigint AS active,
          COUNT(*) FILTER (WHERE simulated AND "startedAt" <= ${instant(at)} AND ("endedAt" IS NULL OR "endedAt" > ${instant(at)}))::bigint AS simulated,
          COUNT(*) FILTER (WHERE ${onDay(Prisma.sql`"startedAt"`)})::bigint AS started,
          COUNT(*) FILTER (WHERE ${onDay(Prisma.sql`"endedAt"`)})::bigint AS ended
        FROM "IsolationCase"
        WHERE "startedAt" <= ${instant(at)} ${inArea(Prisma.sql`"compoundId"`)}`,
      parts.stock ? stockQuery(prisma, { until: day.end }) : null,
      parts.stock && parts.stockFlows ? dayFlowsQuery(prisma, day.start, day.end) : null,
      // Per community (every one in the area, zeros included): the cases of the compounds below it, counted only.
      !parts.isolation || !parts.communities ? null : prisma.$queryRaw<{ id: string; name: string; nameEn: string; under: bigint; started: bigint; ended: bigint }[]>`
        SELECT community.id, community.name, community."nameEn",
          COUNT(ic.id) FILTER (WHERE ic."startedAt" <= ${instant(at)} AND (ic."endedAt" IS NULL OR ic."endedAt" > ${instant(at)}))::bigint AS under,
          COUNT(ic.id) FILTER (WHERE ${onDay(Prisma.sql`ic."startedAt"`)})::bigint AS started,
          COUNT(ic.id) FILTER (WHERE ${onDay(Prisma.sql`ic."endedAt"`)})::bigint AS ended
        FROM "Area" community
        LEFT JOIN "Area" compound ON compound.level = 'COMPOUND' AND starts_with(compound.path, community.path) ${within ? Prisma.sql`AND ${areaBelow(within, Prisma.sql`compound.path`)}` : Prisma.empty}
        LEFT JOIN "IsolationCase" ic ON ic."compoundId" = compound.id
        WHERE community.level = 'COMMUNITY'
          ${within ? Prisma.sql`AND (${areaBelow(within, Prisma.sql`community.path`)} OR starts_with((SELECT w.path FROM "Area" w WHERE w.id = ${within}), community.path))` : Prisma.empty}
        GROUP BY community.id, community.name, community."nameEn"
        ORDER BY community.id`,
    ],
  );

  const totalRow = checkpointRows.find((row) => row.kind === null);
  const figures = (row: { produced: bigint; passedQc: bigint; ratedCapacity: bigint; linesProducing: bigint; simulatedReports: bigint } | undefined) => ({
    produced: n(row?.produced),
    passedQc: n(row?.passedQc),
    ratedCapacity: n(row?.ratedCapacity),
    linesProducing: n(row?.linesProducing),
    simulatedReports: n(row?.simulatedReports),
  });
  const productRow = ({ id, name, nameEn, category, unit, unitEn, safetyLevel }: ProductRow): ProductRow => ({ id, name, nameEn, category, unit, unitEn, safetyLevel });
  return {
    day,
    timeZone,
    checkpointTotals: toCounts(totalRow),
    byCheckpointKind: checkpointRows
      .filter((row) => row.kind !== null)
      .map((row) => ({ kind: row.kind as Kind, checkpoints: n(row.checkpoints), counts: toCounts(row) })),
    masks: figures(productionRows.find((row) => n(row.grouped) === 1 && row.category === 'MASK')),
    byProduct: productionRows.filter((row) => n(row.grouped) === 0).map((row) => ({ product: productRow(row), ...figures(row) })),
    peopleUnderIsolation: n(isolationRows[0]?.active),
    simulatedIsolationCases: n(isolationRows[0]?.simulated),
    stock: stockRows.map((row) => {
      const flows = flowRows.find((f) => f.productId === row.id);
      return {
        product: productRow(row),
        produced: n(row.produced),
        allocated: n(row.allocated),
        stock: n(row.produced) - n(row.allocated),
        safetyLevel: row.safetyLevel,
        day: { produced: n(flows?.produced), toCity: n(flows?.toCity), toZone: n(flows?.toZone) },
      };
    }),
    isolation: {
      underIsolation: n(isolationRows[0]?.active),
      startedOnDay: n(isolationRows[0]?.started),
      endedOnDay: n(isolationRows[0]?.ended),
      byCommunity: communityRows.map((row) => ({
        community: { id: row.id, name: row.name, nameEn: row.nameEn },
        underIsolation: n(row.under),
        startedOnDay: n(row.started),
        endedOnDay: n(row.ended),
      })),
    },
    asOf: now,
    asOfSeq: seqRows[0]?.seq ?? 0n,
    within,
    basis: 'LIVE',
    approved: null,
  };
}

/** Approved totals of several areas' days summed (each is a sum over its own sites, so they add up). */
function sumTotals(list: AreaTotals[]): AreaTotals {
  const [first, ...rest] = list as [AreaTotals, ...AreaTotals[]];
  const sum: AreaTotals = { ...first, checkpointTotals: { ...zeroCounts(), ...first.checkpointTotals } };
  for (const totals of rest) {
    for (const key of Object.keys(sum.checkpointTotals) as (keyof CheckpointCounts)[]) sum.checkpointTotals[key] += totals.checkpointTotals[key] ?? 0;
    for (const key of ['checkpoints', 'produced', 'passedQc', 'maskProduced', 'maskPassedQc', 'maskRatedCapacity', 'linesProducing', 'peopleUnderIsolation'] as const) sum[key] += totals[key];
  }
  return sum;
}

/**
 * The zone's (or an area's) APPROVED figures for a day: the latest approved version of the area, or
 * of each of the zone's root areas (sign-off.ts stores them), never live numbers. An approval stores
 * an area's totals only; the parts it does not store are empty (lists) or null, and so is every
 * figure of a day never approved. asOf and asOfSeq are the approval's (the latest, over several).
 */
export async function computeApprovedSummary(prisma: PrismaClient, day: LocalDay, timeZone: string, now: Date, within: string | null): Promise<ZoneSummary> {
  const areas = await approvalAreas(prisma, within);
  const [approvals, [position]] = await prisma.$transaction([latestApprovals(prisma, areas, day.day), outboxPosition(prisma)], {
    isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead,
  });
  const complete = areas.length > 0 && approvals.length === areas.length;
  const latest = approvals.reduce<DayApproval | null>((a, b) => (!a || b.approvedAt > a.approvedAt ? b : a), null);
  const zeroFigures = { produced: 0, passedQc: 0, ratedCapacity: 0, linesProducing: null, simulatedReports: null };
  return {
    day,
    timeZone,
    // The figures below are not shown for APPROVED (the fields read `approved`); the lists stay empty.
    checkpointTotals: zeroCounts(),
    byCheckpointKind: [],
    masks: zeroFigures,
    byProduct: [],
    peopleUnderIsolation: 0,
    simulatedIsolationCases: 0,
    stock: [],
    isolation: { underIsolation: 0, startedOnDay: 0, endedOnDay: 0, byCommunity: [] },
    asOf: complete && latest ? latest.approvedAt : now,
    asOfSeq: complete ? approvals.reduce((max, a) => (a.asOfSeq > max ? a.asOfSeq : max), 0n) : (position?.seq ?? 0n),
    within,
    basis: 'APPROVED',
    approved: { approvals, totals: complete ? sumTotals(approvals.map((a) => a.totals as unknown as AreaTotals)) : null },
  };
}

const ProductionFiguresFields = {
  produced: 'Units produced on the day (current reports).',
  passedQc: 'Units that passed quality control on the day.',
  ratedCapacity: 'Rated daily capacity of the lines producing at the end of the day (or now, for today).',
  linesProducing: 'Lines producing at the end of the day (or now).',
  simulatedReports: 'Simulated output reports included; label the figure when above 0.',
} as const;

const ProductionFiguresRef = builder.objectRef<ProductionFigures>('ProductionFigures').implement({
  description: 'Output of a group of lines on one day, against their rated capacity.',
  fields: (t) => ({
    produced: t.exposeInt('produced', { description: ProductionFiguresFields.produced }),
    passedQc: t.exposeInt('passedQc', { description: ProductionFiguresFields.passedQc }),
    ratedCapacity: t.exposeInt('ratedCapacity', { description: ProductionFiguresFields.ratedCapacity }),
    linesProducing: t.exposeInt('linesProducing', { nullable: true, description: `${ProductionFiguresFields.linesProducing} Null in APPROVED figures (an approval stores the lines producing of every product, not per product).` }),
    simulatedReports: t.exposeInt('simulatedReports', { nullable: true, description: `${ProductionFiguresFields.simulatedReports} Null in APPROVED figures (an approval stores units, not reports).` }),
  }),
});

const ProductOutputRef = builder.objectRef<ZoneSummary['byProduct'][number]>('ProductOutput').implement({
  description: "One product's output on one day.",
  fields: (t) => ({
    product: t.field({ type: ProductRef, description: 'The product.', resolve: (row) => row.product as never }),
    figures: t.field({ type: ProductionFiguresRef, description: 'Its figures.', resolve: (row) => row }),
  }),
});

const ProductionSummaryRef = builder.objectRef<ZoneSummary>('ProductionSummary').implement({
  description: 'Production on one day: masks first, then every product.',
  fields: (t) => ({
    masks: t.field({
      type: ProductionFiguresRef,
      nullable: true,
      description: 'All mask products together. APPROVED: the approved masks produced, passed QC and rated capacity; null when the day was never approved.',
      resolve: (s) => {
        if (!s.approved) return s.masks;
        const totals = s.approved.totals;
        return totals && { produced: totals.maskProduced, passedQc: totals.maskPassedQc, ratedCapacity: totals.maskRatedCapacity, linesProducing: null, simulatedReports: null };
      },
    }),
    byProduct: t.field({ type: [ProductOutputRef], description: 'Each product of the catalogue, zeros included. APPROVED: empty (an approval does not store figures per product).', resolve: (s) => s.byProduct }),
  }),
});

const StockDayFlowsRef = builder.objectRef<StockFigures['day']>('StockDayFlows').implement({
  description: "A product's flows on one day, counted as stock counts them: into stock by production in the zone, out by allocation to the city or within the zone.",
  fields: (t) => ({
    produced: t.exposeInt('produced', { description: 'Produced in the zone on the day (in).' }),
    toCity: t.exposeInt('toCity', { description: "Allocated on the day to the city's needs (out of the zone)." }),
    toZone: t.exposeInt('toZone', { description: "Allocated on the day within the zone: checkpoints, communities, medical staff." }),
  }),
});

export const ProductStockRef = builder.objectRef<ZoneSummary['stock'][number]>('ProductStock').implement({
  description: "Stock of one product: everything produced minus everything allocated (not cancelled), up to the day's end.",
  fields: (t) => ({
    product: t.field({ type: ProductRef, description: 'The product.', resolve: (row) => row.product as never }),
    produced: t.exposeInt('produced', { description: 'Produced up to the end of the day.' }),
    allocated: t.exposeInt('allocated', { description: 'Allocated (planned, dispatched or delivered) up to the end of the day.' }),
    stock: t.exposeInt('stock', { description: 'produced − allocated.' }),
    safetyLevel: t.exposeInt('safetyLevel', { description: "The product's safety level (安全库存); 0: none kept." }),
    belowSafetyLevel: t.boolean({ description: 'Stock below the safety level: low (the same test as the stock-low alert rule). False when no level is kept.', resolve: (row) => isBelowSafetyLevel(row.stock, row.safetyLevel) }),
    day: t.field({ type: StockDayFlowsRef, description: 'What came in and went out on the day.', resolve: (row) => row.day }),
  }),
});

const IsolationCountsFields = {
  underIsolation: 'People under home isolation at the end of the day (or now, for today).',
  startedOnDay: 'Isolations that began on the day (up to now, for today).',
  endedOnDay: 'Isolations that ended on the day, released or transferred (up to now, for today).',
} as const;

const CommunityIsolationRef = builder.objectRef<ZoneSummary['isolation']['byCommunity'][number]>('CommunityIsolation').implement({
  description: 'Home isolation in the compounds of one community, as counts (no personal data).',
  fields: (t) => ({
    community: t.field({ type: AreaRef, description: 'The community (社区).', resolve: (row, _args, ctx) => loadArea(ctx, row.community.id) as never }),
    underIsolation: t.exposeInt('underIsolation', { description: IsolationCountsFields.underIsolation }),
    startedOnDay: t.exposeInt('startedOnDay', { description: IsolationCountsFields.startedOnDay }),
    endedOnDay: t.exposeInt('endedOnDay', { description: IsolationCountsFields.endedOnDay }),
  }),
});

const IsolationSummaryRef = builder.objectRef<ZoneSummary['isolation']>('IsolationSummary').implement({
  description: 'Home isolation on one day, as counts only: who is isolated is personal data (isolationCases, health staff).',
  fields: (t) => ({
    underIsolation: t.exposeInt('underIsolation', { description: IsolationCountsFields.underIsolation }),
    startedOnDay: t.exposeInt('startedOnDay', { description: IsolationCountsFields.startedOnDay }),
    endedOnDay: t.exposeInt('endedOnDay', { description: IsolationCountsFields.endedOnDay }),
    byCommunity: t.field({ type: [CommunityIsolationRef], description: 'Per community, every one (in the area), zeros included.', resolve: (s) => s.byCommunity }),
  }),
});

const CheckpointKindCountsRef = builder.objectRef<ZoneSummary['byCheckpointKind'][number]>('CheckpointKindCounts').implement({
  description: 'Figures of all checkpoints of one kind.',
  fields: (t) => ({
    kind: t.field({ type: CheckpointKind, description: 'The kind.', resolve: (row) => row.kind }),
    checkpoints: t.exposeInt('checkpoints', { description: 'How many checkpoints of this kind exist.' }),
    counts: t.field({ type: CheckpointCountsRef, description: 'Their figures summed.', resolve: (row) => row.counts }),
  }),
});

export const ZoneSummaryRef = builder.objectRef<ZoneSummary>('ZoneSummary').implement({
  description: "The zone's figures for one reporting day (00:00–24:00 in the zone's time zone), all from one database snapshot.",
  fields: (t) => ({
    day: t.field({ type: 'Date', description: 'The reporting day.', resolve: (s) => s.day.day }),
    dayStart: t.field({ type: 'DateTime', description: 'Local 00:00 of the day.', resolve: (s) => s.day.start }),
    dayEnd: t.field({ type: 'DateTime', description: 'Local 24:00 of the day.', resolve: (s) => s.day.end }),
    timeZone: t.exposeString('timeZone', { description: 'The time zone the day is read in.' }),
    basis: t.field({
      type: FiguresBasis,
      description: "Which figures these are, as asked (APPROVED by default for partner tokens, LIVE for others): LIVE, current reports as of asOfSeq; APPROVED, the day's latest approved version (see approvals).",
      resolve: (s) => s.basis,
    }),
    checkpointTotals: t.field({
      type: CheckpointCountsRef,
      nullable: true,
      description: 'All checkpoints together. APPROVED: the approved totals; null when the day was never approved (never live numbers).',
      resolve: (s) => (s.approved ? (s.approved.totals?.checkpointTotals ?? null) : s.checkpointTotals),
    }),
    byCheckpointKind: t.field({ type: [CheckpointKindCountsRef], description: 'Per kind of checkpoint. APPROVED: empty (an approval does not store figures per kind).', resolve: (s) => s.byCheckpointKind }),
    production: t.field({ type: ProductionSummaryRef, description: 'Production against capacity.', resolve: (s) => s }),
    peopleUnderIsolation: t.int({
      nullable: true,
      description: 'People under home isolation at the end of the day (or now). APPROVED: as approved; null when the day was never approved.',
      resolve: (s) => (s.approved ? (s.approved.totals?.peopleUnderIsolation ?? null) : s.peopleUnderIsolation),
    }),
    isolation: t.field({
      type: IsolationSummaryRef,
      nullable: true,
      description: 'Home isolation as counts: under isolation, begun and ended on the day, per community. APPROVED: null (an approval stores peopleUnderIsolation only).',
      resolve: (s) => (s.approved ? null : s.isolation),
    }),
    simulatedIsolationCases: t.int({
      nullable: true,
      description: 'How many of them are simulated cases. APPROVED: null (not stored by an approval).',
      resolve: (s) => (s.approved ? null : s.simulatedIsolationCases),
    }),
    stock: t.field({
      type: [ProductStockRef],
      description: 'Stock per product, zone-wide even when the figures are limited to an area (stock is held centrally). APPROVED: empty (stock is a running state, not part of a day\'s approval).',
      resolve: (s) => s.stock,
    }),
    asOf: t.field({ type: 'DateTime', description: 'When the figures were read (APPROVED: when the shown version was approved; now when the day was never approved).', resolve: (s) => s.asOf }),
    asOfSeq: t.field({ type: 'Seq', description: 'The last outbox event the figures include (APPROVED: the approval\'s; the current position when the day was never approved).', resolve: (s) => s.asOfSeq }),
  }),
});

builder.queryFields((t) => ({
  zoneSummary: t.field({
    authScopes: { aggregates: true },
    type: ZoneSummaryRef,
    description: "The zone's figures for one reporting day; today by default.",
    args: {
      day: t.arg({ type: 'Date', required: false, description: 'The local day (YYYY-MM-DD); default today.' }),
      within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only the checkpoints, lines (by their enterprise) and compounds in this area or below it.' }),
      basis: basisArg(
        t.arg,
        "APPROVED: the latest approved version of the day for `within` (without it, for the zone's root area), whose totals only an approval stores; figures it does not store are empty or null, and every figure is null when the day was never approved.",
      ),
    },
    resolve: (_root, args, ctx, info) => {
      const now = ctx.now();
      const day = localDay(args.day ?? localDate(now, ctx.timeZone), ctx.timeZone);
      const within = args.within ? String(args.within.id) : null;
      if (basisFor(ctx, args.basis) === 'APPROVED') return computeApprovedSummary(ctx.prisma, day, ctx.timeZone, now, within);
      return computeZoneSummary(ctx.prisma, day, ctx.timeZone, now, within, undefined, partsAsked(info));
    },
  }),
}));

