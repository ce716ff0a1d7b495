// Anomalies of gate scanning, as a query: a suspended or revoked pass used, a pass of another compound,
// a code that names no pass, and a pass scanned unusually often (lent out, or photographed and shared).
// Not alert rules (yet): alert kinds are a database enum and a registry the alerts domain owns, being
// reworked as this was written; the query is what a rule would read, and the scans' verdicts are stored.
import { Prisma } from '@fangkong/prisma';
import { builder } from '../core/builder.ts';
import type { Context } from '../core/context.ts';
import { mayCareFor } from '../core/access.ts';
import { invalidArgument } from '../core/errors.ts';
import { instant, textArray } from '../core/sql.ts';
import { AreaRef, areaBelow } from '../places/places.ts';
import { GatePassRef } from './passes.ts';

const GateScanAnomalyKind = builder.enumType('GateScanAnomalyKind', {
  description: 'What is wrong with a scan, or a pass’s scans.',
  values: {
    SUSPENDED_PASS_USED: { description: 'A suspended pass was scanned (by staff, or its holder under home isolation).' },
    REVOKED_PASS_USED: { description: 'A revoked pass was scanned.' },
    OTHER_COMPOUND: { description: 'A pass was scanned at the gate of another compound.' },
    UNKNOWN_CODE: { description: 'A code that names no pass (malformed, tampered, or signed with another key).' },
    FREQUENT_PASS: { description: 'One pass scanned at least `frequentPerHour` times at one gate within one local hour.' },
  },
});

type Kind = 'SUSPENDED_PASS_USED' | 'REVOKED_PASS_USED' | 'OTHER_COMPOUND' | 'UNKNOWN_CODE' | 'FREQUENT_PASS';

interface Anomaly {
  kind: Kind;
  checkpointId: string;
  at: Date;
  scans: number;
  passId: string | null;
  passCompoundId: string | null;
}

const GateScanAnomalyRef = builder.objectRef<Anomaly>('GateScanAnomaly').implement({
  description: 'A flagged scan, or a pass scanned too often (no personal data unless the caller may see the pass).',
  fields: (t) => ({
    kind: t.field({ type: GateScanAnomalyKind, description: 'What is wrong.', resolve: (a) => a.kind }),
    checkpoint: t.prismaField({ type: 'Checkpoint', description: 'The gate.', resolve: (query, a, _args, ctx) => ctx.prisma.checkpoint.findUniqueOrThrow({ ...query, where: { id: a.checkpointId } }) }),
    at: t.expose('at', { type: 'DateTime', description: 'When (the first scan, for FREQUENT_PASS).' }),
    scans: t.exposeInt('scans', { description: 'How many scans (1 but for FREQUENT_PASS).' }),
    pass: t.field({
      type: GatePassRef,
      nullable: true,
      description: 'The pass, for admins and the community staff of its compound; null for everyone else and for unknown codes.',
      resolve: (a, _args, ctx) => (a.passId && a.passCompoundId && mayCareFor(ctx, a.passCompoundId) ? ctx.prisma.gatePass.findUnique({ where: { id: a.passId } }) : null),
    }),
  }),
});

const KIND_OF_VERDICT = Prisma.sql`CASE s.verdict WHEN 'SUSPENDED' THEN 'SUSPENDED_PASS_USED' WHEN 'REVOKED' THEN 'REVOKED_PASS_USED' WHEN 'OTHER_COMPOUND' THEN 'OTHER_COMPOUND' ELSE 'UNKNOWN_CODE' END`;

function anomalies(ctx: Context, args: { from: Date; to: Date; within?: string; frequentPerHour: number; first: number }) {
  const tz = ctx.timeZone;
  const where = Prisma.sql`s."scannedAt" >= ${instant(args.from)} AND s."scannedAt" < ${instant(args.to)}
    ${args.within ? Prisma.sql`AND ${areaBelow(args.within, Prisma.sql`a.path`)}` : Prisma.empty}
    ${ctx.viewer?.role === 'HEALTH' ? Prisma.sql`AND c."areaId" = ANY(${textArray(ctx.viewer.compoundIds)})` : Prisma.empty}`;
  return ctx.prisma.$queryRaw<(Omit<Anomaly, 'scans'> & { scans: bigint })[]>`
    SELECT * FROM (
      SELECT ${KIND_OF_VERDICT} AS kind, s."checkpointId", s."scannedAt" AS at, 1::bigint AS scans, s."passId", p."compoundId" AS "passCompoundId"
      FROM "GateScan" s JOIN "Checkpoint" c ON c.id = s."checkpointId" JOIN "Area" a ON a.id = c."areaId" LEFT JOIN "GatePass" p ON p.id = s."passId"
      WHERE s.verdict <> 'VALID' AND ${where}
      UNION ALL
      SELECT 'FREQUENT_PASS', s."checkpointId", min(s."scannedAt"), count(*), s."passId", min(p."compoundId")
      FROM "GateScan" s JOIN "Checkpoint" c ON c.id = s."checkpointId" JOIN "Area" a ON a.id = c."areaId" JOIN "GatePass" p ON p.id = s."passId"
      WHERE ${where}
      GROUP BY s."checkpointId", s."passId", date_trunc('hour', s."scannedAt" AT TIME ZONE ${tz})
      HAVING count(*) >= ${args.frequentPerHour}
    ) x ORDER BY at DESC, kind LIMIT ${args.first}`;
}

builder.queryFields((t) => ({
  gateScanAnomalies: t.field({
    // Records without personal data: those who read records; community staff those of their compounds.
    authScopes: { records: true, personal: true },
    type: [GateScanAnomalyRef],
    description: 'Flagged scans and passes scanned unusually often, newest first.',
    args: {
      from: t.arg({ type: 'DateTime', required: true, description: 'From (inclusive).' }),
      to: t.arg({ type: 'DateTime', required: true, description: 'To (exclusive); at most 31 days after `from`.' }),
      within: t.arg.globalID({ for: AreaRef, required: false, description: 'Only gates in this area or below.' }),
      frequentPerHour: t.arg.int({ required: false, defaultValue: 6, description: 'Scans of one pass at one gate within a local hour that count as unusually frequent (2–1000).' }),
      first: t.arg.int({ required: false, defaultValue: 100, description: 'At most this many (1–500).' }),
    },
    resolve: async (_root, args, ctx) => {
      if (args.to <= args.from || args.to.getTime() - args.from.getTime() > 31 * 86_400_000) throw invalidArgument('to', 'must be after from and at most 31 days later');
      const frequentPerHour = args.frequentPerHour ?? 6;
      if (frequentPerHour < 2 || frequentPerHour > 1000) throw invalidArgument('frequentPerHour', 'must be from 2 to 1000');
      const first = args.first ?? 100;
      if (first < 1 || first > 500) throw invalidArgument('first', 'must be from 1 to 500');
      const rows = await anomalies(ctx, { from: args.from, to: args.to, within: args.within?.id, frequentPerHour, first });
      return rows.map((r) => ({ ...r, at: new Date(r.at), scans: Number(r.scans) }));
    },
  }),
}));
