import type { ArgBuilder } from '@pothos/core';
import type { DayApproval, Prisma, PrismaClient } from '@fangkong/prisma';
import { builder, type SchemaTypes } from '../core/builder.ts';
import type { Context } from '../core/context.ts';
import { textArray } from '../core/sql.ts';

// Which figures an aggregate shows: the signed-off ones (sign-off.ts stores the approved totals of
// an area's day) or the live ones. Defined once here and read by every aggregate that offers both
// (areaDayFigures, zoneSummary, the series), so they default and answer alike.

export const FiguresBasis = builder.enumType('FiguresBasis', {
  description: 'Which figures an aggregate shows.',
  values: {
    APPROVED: { description: 'The latest approved version of the day (signed off; may be followed by a reopening and a new version).' },
    LIVE: { description: 'Provisional: every current report as of now, changing as reports and corrections arrive.' },
  } as const,
});

export type Basis = 'APPROVED' | 'LIVE';

/** The basis asked for, or by default what the caller's role sees: partners the signed-off figures, everyone else the live ones. */
export const basisFor = (ctx: Context, asked: Basis | null | undefined): Basis => asked ?? (ctx.viewer?.role === 'PARTNER' ? 'APPROVED' : 'LIVE');

/** The `basis` argument of an aggregate, described once. */
export const basisArg = (t: ArgBuilder<SchemaTypes>, approvedMeans: string) =>
  t({ type: FiguresBasis, required: false, description: `APPROVED or LIVE; default APPROVED for partner tokens, LIVE for others. ${approvedMeans}` });

/**
 * The areas an APPROVED figure of "the zone" is made of: the area asked for, or else the zone's
 * root areas (the DISTRICT; a deployment normally has one). Zone-wide approved figures are the sum of
 * the roots' approved versions, and a day counts as approved only when every root has one.
 */
export async function approvalAreas(prisma: Pick<PrismaClient, '$queryRaw'>, within: string | null): Promise<string[]> {
  if (within) return [within];
  const roots = await prisma.$queryRaw<{ id: string }[]>`SELECT id FROM "Area" WHERE "parentId" IS NULL ORDER BY path`;
  return roots.map((root) => root.id);
}

/** The latest approved version (reopened or not) of each of these areas for one local day; areas never approved are missing. */
export function latestApprovals(prisma: Pick<PrismaClient, '$queryRaw'>, areaIds: readonly string[], day: string): Prisma.PrismaPromise<DayApproval[]> {
  return prisma.$queryRaw<DayApproval[]>`
    SELECT DISTINCT ON (d."areaId") d.*
    FROM "DayApproval" d
    WHERE d."areaId" = ANY(${textArray(areaIds)}) AND d.day = ${day}
    ORDER BY d."areaId", d.version DESC`;
}
