// Anomalies of gate scanning, as a query: a suspended or revoked pass used, a pass of another compound,
// a code that names no pass, and a pass scanned unusually often (lent out, or photographed and shared).
// What each is, and the statements that find them, are anomaly-kinds.ts, which the gate alert rules
// (anomaly-alerts.ts) raise alerts from as scans arrive.
import { Prisma } from '@fangkong/prisma';
import { builder } from '../core/builder.ts';
import type { Context } from '../core/context.ts';
import { mayCareFor } from '../core/access.ts';
import { invalidArgument } from '../core/errors.ts';
import { textArray } from '../core/sql.ts';
import { AreaRef, areaBelow } from '../places/places.ts';
import { ANOMALY_DESCRIPTIONS, type AnomalyRow, flaggedScans, frequentPasses, type GateScanAnomalyKind, scannedBetween } from './anomaly-kinds.ts';
import { GatePassRef } from './passes.ts';

const GateScanAnomalyKindRef = builder.enumType('GateScanAnomalyKind', {
  description: 'What is wrong with a scan, or a pass’s scans.',
  values: Object.fromEntries(Object.entries(ANOMALY_DESCRIPTIONS).map(([kind, description]) => [kind, { value: kind, description }])) as {
    [K in GateScanAnomalyKind]: { value: K; description: string };
  },
});

type Anomaly = Omit<AnomalyRow, 'scans' | 'scanId' | 'windowStart'> & { scans: number };

const GateScanAnomalyRef = builder.objectRef<Anomaly>('GateScanAnomaly').implement({
  description: 'A flagged scan, or a pass scanned too often (no personal data unless the caller may see the pass).',
  fields: (t) => ({
    kind: t.field({ type: GateScanAnomalyKindRef, description: 'What is wrong.', resolve: (a) => a.kind }),
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

function anomalies(ctx: Context, args: { from: Date; to: Date; within?: string; frequentPerHour: number; first: number }) {
  const where = Prisma.sql`${scannedBetween(args.from, args.to)}
    ${args.within ? Prisma.sql`AND ${areaBelow(args.within, Prisma.sql`a.path`)}` : Prisma.empty}
    ${ctx.viewer?.role === 'HEALTH' ? Prisma.sql`AND c."areaId" = ANY(${textArray(ctx.viewer.compoundIds)})` : Prisma.empty}`;
  return ctx.prisma.$queryRaw<AnomalyRow[]>`
    SELECT * FROM (
      ${flaggedScans(where)}
      UNION ALL
      ${frequentPasses(where, { timeZone: ctx.timeZone, minScans: args.frequentPerHour, windowMinutes: 60 })}
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
      return rows.map(({ scanId: _scan, windowStart: _window, ...r }) => ({ ...r, at: new Date(r.at), scans: Number(r.scans) }));
    },
  }),
}));
