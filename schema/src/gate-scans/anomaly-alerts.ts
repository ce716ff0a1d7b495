// Gate scanning's alert rules: a suspended pass used, a pass used at another compound, a pass scanned
// unusually often. The alerts evaluator hands each uploaded batch here (its `gateScans:recorded`
// event); the anomalies are found by the statements the gateScanAnomalies query uses
// (anomaly-kinds.ts), limited to the batch. Each is raised once: a flagged scan is its own occurrence,
// a frequent pass one occurrence per gate and window, so a batch sent again (nothing new stored, no
// event) or a later scan in the same window raises nothing more.
//
// The alert names the gate, its compound and the pass (and household) by id; the holder's name, phone
// and room only come through `Alert.gatePass`, which answers admins and the compound's community staff.
import { type $Enums, type AlertRule, Prisma } from '@fangkong/prisma';
import { localClock } from '@fangkong/zone';
import { builder } from '../core/builder.ts';
import type { Context } from '../core/context.ts';
import type { OutboxEvent } from '../core/live.ts';
import { mayCareFor } from '../core/access.ts';
import { instant } from '../core/sql.ts';
import { AlertRef } from '../alerts/alerts.ts';
import { type AlertRuleKind, parametersOf } from '../alerts/rule-kinds.ts';
import { raiseAlert } from '../alerts/transitions.ts';
import { ANOMALY_WORDS, type AnomalyRow, flaggedScans, frequentPasses, type GateScanAnomalyKind } from './anomaly-kinds.ts';
import { GatePassRef } from './passes.ts';

type Rules = Map<AlertRuleKind, AlertRule[]>;

/** The scans a batch stored: its audit entry, written in the event's transaction, lists their keys. */
async function batchScans(ctx: Context, event: OutboxEvent): Promise<{ id: string; scannedAt: Date }[]> {
  const entry = await ctx.prisma.auditEntry.findFirst({ where: { entityType: 'GateScanBatch', entityId: event.subjectId, action: 'gateScans:recorded' }, select: { after: true } });
  const keys = ((entry?.after as { scans?: { idempotencyKey: string }[] } | null)?.scans ?? []).map((s) => s.idempotencyKey);
  if (!keys.length) return [];
  return ctx.prisma.gateScan.findMany({ where: { idempotencyKey: { in: keys } }, select: { id: true, scannedAt: true } });
}

export async function onGateScans(ctx: Context, rules: Rules, event: OutboxEvent): Promise<void> {
  const suspended = rules.get('GATE_SUSPENDED_PASS') ?? [];
  const otherCompound = rules.get('GATE_OTHER_COMPOUND') ?? [];
  const frequent = rules.get('GATE_FREQUENT_PASS') ?? [];
  if (!suspended.length && !otherCompound.length && !frequent.length) return;
  const byVerdict = (event.payload.byVerdict ?? {}) as Partial<Record<$Enums.GateScanVerdict, number>>;
  const scans = await batchScans(ctx, event);
  if (!scans.length) return;
  const ids = scans.map((s) => s.id);
  const inBatch = Prisma.sql`s.id = ANY(${ids}::text[])`;

  const flaggedRules: [AlertRule, $Enums.GateScanVerdict[]][] = [
    ...suspended.map((rule): [AlertRule, $Enums.GateScanVerdict[]] => [rule, parametersOf('GATE_SUSPENDED_PASS', rule.parameters).includeRevoked ? ['SUSPENDED', 'REVOKED'] : ['SUSPENDED']]),
    ...otherCompound.map((rule): [AlertRule, $Enums.GateScanVerdict[]] => [rule, ['OTHER_COMPOUND']]),
  ].filter(([, verdicts]) => verdicts.some((v) => (byVerdict[v] ?? 0) > 0));
  for (const [rule, verdicts] of flaggedRules) {
    for (const row of await ctx.prisma.$queryRaw<AnomalyRow[]>`${flaggedScans(inBatch, verdicts)} ORDER BY s."scannedAt", s.id`) {
      await raise(ctx, rule, row, event.seq);
    }
  }

  if (!frequent.length) return;
  const times = scans.map((s) => s.scannedAt.getTime());
  for (const rule of frequent) {
    const p = parametersOf('GATE_FREQUENT_PASS', rule.parameters);
    // Every window a scan of the batch lies in, of the passes the batch scanned, at its gate.
    const reach = p.windowMinutes * 60_000;
    const where = Prisma.sql`s."checkpointId" = ${String(event.payload.checkpointId)}
      AND s."passId" IN (SELECT "passId" FROM "GateScan" s WHERE ${inBatch} AND "passId" IS NOT NULL)
      AND s."scannedAt" > ${instant(new Date(Math.min(...times) - reach))} AND s."scannedAt" < ${instant(new Date(Math.max(...times) + reach))}`;
    const rows = await ctx.prisma.$queryRaw<AnomalyRow[]>`${frequentPasses(where, { timeZone: ctx.timeZone, ...p, touching: ids })} ORDER BY "windowStart", "passId"`;
    for (const row of rows) await raise(ctx, rule, row, event.seq);
  }
}

async function raise(ctx: Context, rule: AlertRule, row: AnomalyRow, seq: bigint): Promise<void> {
  const gate = await ctx.prisma.checkpoint.findUniqueOrThrow({ where: { id: row.checkpointId }, include: { area: true } });
  const pass = row.passId ? await ctx.prisma.gatePass.findUnique({ where: { id: row.passId }, select: { householdId: true } }) : null;
  const passCompound = row.passCompoundId ? await ctx.prisma.area.findUnique({ where: { id: row.passCompoundId }, select: { name: true, nameEn: true } }) : null;
  const words = ANOMALY_WORDS[row.kind as GateScanAnomalyKind];
  const at = new Date(row.at);
  const clock = localClock(at, ctx.timeZone);
  const frequent = row.kind === 'FREQUENT_PASS';
  const windowStart = row.windowStart ? new Date(row.windowStart) : null;
  const when = frequent && windowStart ? `${localClock(windowStart, ctx.timeZone)} 起 ${Number(row.scans)} 次` : clock;
  const whenEn = frequent && windowStart ? `${Number(row.scans)} times from ${localClock(windowStart, ctx.timeZone)}` : `at ${clock}`;
  const elsewhere = row.kind === 'OTHER_COMPOUND' && passCompound ? { zh: `（属于${passCompound.name}）`, en: ` (of ${passCompound.nameEn})` } : { zh: '', en: '' };
  await raiseAlert(ctx, {
    rule,
    subjectType: 'GatePass',
    subjectId: row.passId ?? `code:${row.scanId}`,
    occurrence: frequent ? `${row.checkpointId}:${windowStart?.toISOString()}` : `scan:${row.scanId}`,
    areaPath: gate.area.path,
    siteId: gate.id,
    message: `${gate.area.name} ${gate.name}：${words.zh}${elsewhere.zh}，${when}`,
    messageEn: `${gate.area.nameEn}, ${gate.nameEn}: ${words.en}${elsewhere.en} ${whenEn}`,
    // Ids and figures only: who holds the pass is for those who may see it (Alert.gatePass).
    details: {
      anomaly: row.kind,
      checkpointId: gate.id,
      compoundId: gate.areaId,
      passId: row.passId,
      householdId: pass?.householdId ?? null,
      passCompoundId: row.passCompoundId,
      ...(frequent ? { windowStart, scans: Number(row.scans), firstScanAt: at } : { scanId: row.scanId, scannedAt: at }),
    },
    raisedSeq: seq,
  });
}

builder.objectFields(AlertRef, (t) => ({
  gatePass: t.field({
    type: GatePassRef,
    nullable: true,
    description: "For gate-scan alerts: the pass, with its holder's name, phone and household (personal data: admins and the community staff of its compound; null for everyone else).",
    resolve: async (a, _args, ctx) => {
      if (a.subjectType !== 'GatePass') return null;
      const pass = await ctx.prisma.gatePass.findUnique({ where: { id: a.subjectId } });
      return pass && mayCareFor(ctx, pass.compoundId) ? pass : null;
    },
  }),
}));
