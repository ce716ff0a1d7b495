import { Prisma, type PrismaClient } from '@fangkong/prisma';
import type { ArgBuilder } from '@pothos/core';
import type { SchemaTypes } from '../core/builder.ts';
import type { LocalDay } from '@fangkong/zone';
import { builder } from '../core/builder.ts';
import { invalidArgument } from '../core/errors.ts';
import { listSize } from '../core/list-size.ts';
import { instant } from '../core/sql.ts';
import { dayCountColumns, dayFigures } from '../checkpoints/day-totals.ts';
import { CheckpointCountsRef } from '../checkpoints/checkpoints.ts';
import { countColumns, toCounts, type CheckpointCounts } from '../checkpoints/counts.ts';
import { AreaLevel, AreaRef, areaBelow, loadArea } from '../places/places.ts';
import { ZoneSummaryRef, type ZoneSummary } from './zone-summary.ts';

// Totals by area: the day's figures of each area one level down (or of every area of a chosen
// level), each area counting every checkpoint, line (by its enterprise) and compound at any depth
// below it; and the ratio indicators, each with the numerator and denominator it was computed from.

export interface Ratio {
  numerator: number;
  denominator: number;
  /** numerator ÷ denominator × scale, null when the denominator is 0. */
  scale: number;
}

export interface Indicators {
  feverPer10kScreened: Ratio;
  maskQcPassRate: Ratio;
  maskUtilisation: Ratio;
}

export interface AreaTotals {
  areaId: string;
  level: string;
  checkpointTotals: CheckpointCounts;
  checkpoints: number;
  produced: number;
  passedQc: number;
  maskProduced: number;
  maskPassedQc: number;
  maskRatedCapacity: number;
  linesProducing: number;
  peopleUnderIsolation: number;
}

/** Fever cases per 10,000 people screened, with its numerator and denominator. */
export const feverPer10kScreened = (counts: { feverCases: number; peopleScreened: number }): Ratio => ({ numerator: counts.feverCases, denominator: counts.peopleScreened, scale: 10_000 });
/** Units that passed quality control ÷ units produced. */
export const qcPassRate = (output: { passedQc: number; produced: number }): Ratio => ({ numerator: output.passedQc, denominator: output.produced, scale: 1 });

export function indicators(figures: { feverCases: number; peopleScreened: number; maskProduced: number; maskPassedQc: number; maskRatedCapacity: number }): Indicators {
  return {
    feverPer10kScreened: feverPer10kScreened(figures),
    maskQcPassRate: qcPassRate({ passedQc: figures.maskPassedQc, produced: figures.maskProduced }),
    maskUtilisation: { numerator: figures.maskProduced, denominator: figures.maskRatedCapacity, scale: 1 },
  };
}

type Row = Record<keyof CheckpointCounts, bigint> & {
  areaId: string;
  level: string;
  checkpoints: bigint;
  produced: bigint;
  passedQc: bigint;
  maskProduced: bigint;
  maskPassedQc: bigint;
  maskRatedCapacity: bigint;
  linesProducing: bigint;
  isolated: bigint;
};

/**
 * The areas a breakdown lists, as a condition on "Area" `a`: with `only`, `within` itself; with a
 * level, every area of that level inside `within` (the zone without it); else the areas directly
 * below `within` (the zone's top areas without it). Shared by zoneSummary.byArea and the series'
 * byArea, so they list the same areas for the same arguments.
 */
export function areaTargets(within: string | null, level: string | null, only = false): Prisma.Sql {
  return only && within
    ? Prisma.sql`a.id = ${within}`
    : level
      ? Prisma.sql`a.level = ${level}::"AreaLevel" ${within ? Prisma.sql`AND ${areaBelow(within, Prisma.sql`a.path`)}` : Prisma.empty}`
      : within
        ? Prisma.sql`a."parentId" = ${within}`
        : Prisma.sql`a."parentId" IN (SELECT id FROM "Area" WHERE "parentId" IS NULL)`;
}

/** The arguments of every `byArea` breakdown. */
export const byAreaArgs = (arg: ArgBuilder<SchemaTypes>) => ({
  level: arg({ type: AreaLevel, required: false, description: 'Every area of this level (TOWNSHIP, COMMUNITY, COMPOUND …) instead of the next level down.' }),
  first: arg.int({ required: false, defaultValue: 50, description: 'At most this many areas (default 50, at most 500).' }),
});

/** The read budget's size of a `byArea` list, and its checked `first`. */
export const byAreaSize = listSize((args) => Number(args.first ?? 50));
export function checkFirstAreas(first: number | null | undefined): number {
  const n = first ?? 50;
  if (!Number.isInteger(n) || n < 0 || n > 500) throw invalidArgument('first', 'must be 0 to 500');
  return n;
}

/**
 * One row per area of `level` inside `within` (or, without a level, per area directly below
 * `within`, the zone's top areas without it; with `only`, `within` itself), in one statement: the day's current reports of the
 * checkpoints and lines below each area, mask capacity of lines producing at the day's end (or now),
 * people under isolation in its compounds then.
 */
export async function computeAreaTotals(
  prisma: Pick<PrismaClient, '$queryRaw'>,
  day: LocalDay,
  now: Date,
  within: string | null,
  level: string | null,
  /** With `timeZone`, a gate's scans not yet counted into a report count too (the live figures; a day's sign-off takes reports only). */
  { only = false, timeZone }: { only?: boolean; timeZone?: string } = {},
): Promise<AreaTotals[]> {
  const at = now < day.end ? now : day.end;
  const targets = areaTargets(within, level, only);
  const rows = await prisma.$queryRaw<Row[]>`
    WITH target AS (
      SELECT a.id, a.level, a.path FROM "Area" a WHERE ${targets}
    ), checkpoint_figures AS (
      SELECT t.id AS "figuresOf", COUNT(DISTINCT c.id)::bigint AS checkpoints, ${timeZone ? dayCountColumns : countColumns}
      FROM target t
      JOIN "Area" below ON below.path LIKE t.path || '%'
      JOIN "Checkpoint" c ON c."areaId" = below.id
      LEFT JOIN ${
        timeZone
          ? dayFigures(day, timeZone)
          : Prisma.sql`(SELECT * FROM "CheckpointReport" WHERE "supersededAt" IS NULL AND "periodStart" >= ${instant(day.start)} AND "periodStart" < ${instant(day.end)})`
      } r ON r."checkpointId" = c.id
      GROUP BY t.id
    ), line_state AS (
      SELECT t.id AS "areaId", l.id, l."ratedDailyCapacity", p.category,
        COALESCE((SELECT s."to" FROM "LineStatusChange" s WHERE s."lineId" = l.id AND s.at <= ${instant(at)} ORDER BY s.at DESC LIMIT 1), l.status) AS status
      FROM target t
      JOIN "Area" below ON below.path LIKE t.path || '%'
      JOIN "Enterprise" e ON e."areaId" = below.id
      JOIN "ProductionLine" l ON l."enterpriseId" = e.id
      JOIN "Product" p ON p.id = l."productId"
    ), line_output AS (
      SELECT o."lineId", SUM(o.produced) AS produced, SUM(o."passedQc") AS "passedQc"
      FROM "OutputReport" o
      WHERE o."supersededAt" IS NULL AND o."periodStart" >= ${instant(day.start)} AND o."periodStart" < ${instant(day.end)}
        AND o."lineId" IN (SELECT id FROM line_state)
      GROUP BY o."lineId"
    ), production AS (
      SELECT ls."areaId",
        COALESCE(SUM(lo.produced), 0)::bigint AS produced,
        COALESCE(SUM(lo."passedQc"), 0)::bigint AS "passedQc",
        COALESCE(SUM(lo.produced) FILTER (WHERE ls.category = 'MASK'), 0)::bigint AS "maskProduced",
        COALESCE(SUM(lo."passedQc") FILTER (WHERE ls.category = 'MASK'), 0)::bigint AS "maskPassedQc",
        COALESCE(SUM(ls."ratedDailyCapacity") FILTER (WHERE ls.category = 'MASK' AND ls.status = 'PRODUCING'), 0)::bigint AS "maskRatedCapacity",
        COUNT(*) FILTER (WHERE ls.status = 'PRODUCING')::bigint AS "linesProducing"
      FROM line_state ls LEFT JOIN line_output lo ON lo."lineId" = ls.id
      GROUP BY ls."areaId"
    ), isolation AS (
      SELECT t.id AS "areaId", COUNT(*)::bigint AS isolated
      FROM target t
      JOIN "Area" below ON below.path LIKE t.path || '%'
      JOIN "IsolationCase" i ON i."compoundId" = below.id
      WHERE i."startedAt" <= ${instant(at)} AND (i."endedAt" IS NULL OR i."endedAt" > ${instant(at)})
      GROUP BY t.id
    )
    SELECT t.id AS "areaId", t.level::text AS level, cf.*, pr.produced, pr."passedQc", pr."maskProduced", pr."maskPassedQc",
      pr."maskRatedCapacity", pr."linesProducing", iso.isolated
    FROM target t
    LEFT JOIN checkpoint_figures cf ON cf."figuresOf" = t.id
    LEFT JOIN production pr ON pr."areaId" = t.id
    LEFT JOIN isolation iso ON iso."areaId" = t.id
    ORDER BY t.path`;
  const n = (v: bigint | number | null | undefined) => Number(v ?? 0);
  return rows.map((row) => ({
    areaId: row.areaId,
    level: row.level,
    checkpointTotals: toCounts(row),
    checkpoints: n(row.checkpoints),
    produced: n(row.produced),
    passedQc: n(row.passedQc),
    maskProduced: n(row.maskProduced),
    maskPassedQc: n(row.maskPassedQc),
    maskRatedCapacity: n(row.maskRatedCapacity),
    linesProducing: n(row.linesProducing),
    peopleUnderIsolation: n(row.isolated),
  }));
}

/** The latest approved totals of the day of each listed area (areaTargets) that has one, ordered by path; one statement. */
async function approvedAreaTotals(prisma: Pick<PrismaClient, '$queryRaw'>, day: string, within: string | null, level: string | null): Promise<AreaTotals[]> {
  const rows = await prisma.$queryRaw<{ totals: AreaTotals }[]>`
    SELECT DISTINCT ON (a.path) d.totals
    FROM "Area" a JOIN "DayApproval" d ON d."areaId" = a.id AND d.day = ${day}
    WHERE ${areaTargets(within, level)}
    ORDER BY a.path, d.version DESC`;
  return rows.map((row) => row.totals);
}

// ───────────────────────────── GraphQL ─────────────────────────────

export const RatioRef = builder.objectRef<Ratio>('Ratio').implement({
  description: 'An indicator that is a ratio, with what it is computed from, so that ratios can be summed correctly (sum numerators and denominators, never values).',
  fields: (t) => ({
    numerator: t.exposeInt('numerator', { description: 'The count above the line.' }),
    denominator: t.exposeInt('denominator', { description: 'The count below the line.' }),
    value: t.float({
      nullable: true,
      description: 'numerator ÷ denominator × the indicator\'s scale (see its description); null when the denominator is 0.',
      resolve: (r) => (r.denominator === 0 ? null : (r.numerator / r.denominator) * r.scale),
    }),
  }),
});

const IndicatorsRef = builder.objectRef<Indicators>('Indicators').implement({
  description: 'Ratio indicators of one day, each with its numerator and denominator.',
  fields: (t) => ({
    feverPer10kScreened: t.field({ type: RatioRef, description: 'Fever cases per 10,000 people screened at checkpoints (feverCases ÷ peopleScreened × 10,000).', resolve: (i) => i.feverPer10kScreened }),
    maskQcPassRate: t.field({ type: RatioRef, description: 'Share of masks produced that passed quality control (passedQc ÷ produced, 0–1).', resolve: (i) => i.maskQcPassRate }),
    maskUtilisation: t.field({
      type: RatioRef,
      description: "Masks produced ÷ the rated daily capacity of the mask lines producing at the day's end (or now): 0–1 for a whole day; for today, the share of a full day's capacity reached so far.",
      resolve: (i) => i.maskUtilisation,
    }),
  }),
});

const ProductionTotalsRef = builder.objectRef<AreaTotals>('AreaProduction').implement({
  description: "Output of an area's lines on the day.",
  fields: (t) => ({
    produced: t.exposeInt('produced', { description: 'Units produced, every product (units differ by product).' }),
    passedQc: t.exposeInt('passedQc', { description: 'Units that passed quality control, every product.' }),
    maskProduced: t.exposeInt('maskProduced', { description: 'Masks produced.' }),
    maskPassedQc: t.exposeInt('maskPassedQc', { description: 'Masks that passed quality control.' }),
    maskRatedCapacity: t.exposeInt('maskRatedCapacity', { description: "Rated daily capacity of the mask lines producing at the day's end (or now)." }),
    linesProducing: t.exposeInt('linesProducing', { description: "Lines producing at the day's end (or now)." }),
  }),
});

export const AreaTotalsRef = builder.objectRef<AreaTotals>('AreaTotals').implement({
  description: "One area's figures for the day: every checkpoint, line (by its enterprise) and compound at any depth below it.",
  fields: (t) => ({
    area: t.field({ type: AreaRef, description: 'The area.', resolve: async (a, _args, ctx) => (await loadArea(ctx, a.areaId))! }),
    level: t.field({ type: AreaLevel, description: 'Its level.', resolve: (a) => a.level as never }),
    checkpoints: t.exposeInt('checkpoints', { description: 'Checkpoints in it.' }),
    counts: t.field({ type: CheckpointCountsRef, description: 'Checkpoint figures summed (current reports starting on the day).', resolve: (a) => a.checkpointTotals }),
    production: t.field({ type: ProductionTotalsRef, description: 'Output of its lines.', resolve: (a) => a }),
    peopleUnderIsolation: t.exposeInt('peopleUnderIsolation', { description: "People under home isolation in its compounds at the day's end (or now)." }),
    indicators: t.field({
      type: IndicatorsRef,
      description: 'Ratio indicators with numerator and denominator.',
      resolve: (a) => indicators({ ...a.checkpointTotals, ...a }),
    }),
  }),
});

builder.objectFields(ZoneSummaryRef, (t) => ({
  within: t.prismaField({
    type: 'Area',
    nullable: true,
    description: 'The area the figures are limited to; null for the whole zone.',
    resolve: (query, s, _args, ctx) => (s.within ? ctx.prisma.area.findUnique({ ...query, where: { id: s.within } }) : null),
  }),
  indicators: t.field({
    type: IndicatorsRef,
    nullable: true,
    description: 'Ratio indicators with numerator and denominator. APPROVED: from the approved totals; null when the day was never approved.',
    resolve: (s: ZoneSummary) => {
      if (s.approved) return s.approved.totals && indicators({ ...s.approved.totals.checkpointTotals, ...s.approved.totals });
      return indicators({ ...s.checkpointTotals, maskProduced: s.masks.produced, maskPassedQc: s.masks.passedQc, maskRatedCapacity: s.masks.ratedCapacity });
    },
  }),
  byArea: t.field({
    type: [AreaTotalsRef],
    description:
      "The same day broken down by area: the areas directly below `within` (the zone's top areas without it), or with `level` every area of that level inside it; ordered by path. Read in a statement of its own, after the summary's snapshot. APPROVED: each area's own latest approved version of the day; areas never approved for the day are left out.",
    args: byAreaArgs(t.arg),
    extensions: byAreaSize,
    resolve: async (s, args, ctx) => {
      const first = checkFirstAreas(args.first);
      if (s.approved) return (await approvedAreaTotals(ctx.prisma, s.day.day, s.within, args.level ?? null)).slice(0, first);
      const rows = await computeAreaTotals(ctx.prisma, s.day, s.asOf, s.within, args.level ?? null, { timeZone: s.timeZone });
      return rows.slice(0, first);
    },
  }),
}));
