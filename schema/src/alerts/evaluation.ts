import { type AlertRule, Prisma } from '@fangkong/prisma';
import { DAY_MS, HOUR_MS, localPeriod, MINUTE_MS, today } from '@fangkong/zone';
import type { Context } from '../core/context.ts';
import type { OutboxEvent } from '../core/live.ts';
import { instant } from '../core/sql.ts';
import { openingBounds } from '../completeness/schedule.ts';
import { onGateScans } from '../gate-scans/anomaly-alerts.ts';
import { isBelowSafetyLevel, stockQuery, type StockRow } from '../supplies/stock.ts';
import { screenConnected, silentScreens } from '../screens/silent-screens.ts';
import { type AlertRuleKind, parametersOf, type RuleParameters } from './rule-kinds.ts';
import { raiseAlert, resolveCleared } from './transitions.ts';

// The alert rules' conditions. Each outbox event is looked at once per evaluator (the server's
// alerts/alert-evaluator.ts feeds them in order and records how far it got), which raises what a
// report shows at once; a periodic sweep finds what time alone brings about (a silent site, a task
// past its due time, no health check by a local time) and resolves what cleared. Everything is
// read from the database, so it works the same across midnight, a restart and several instances.

type Rules = Map<AlertRuleKind, AlertRule[]>;

/** The enabled rules, by kind. */
export async function enabledRules(ctx: Context): Promise<Rules> {
  const rules = new Map<AlertRuleKind, AlertRule[]>();
  for (const rule of await ctx.prisma.alertRule.findMany({ where: { enabled: true }, orderBy: { id: 'asc' } })) {
    rules.set(rule.kind, [...(rules.get(rule.kind) ?? []), rule]);
  }
  return rules;
}

function each<K extends AlertRuleKind>(rules: Rules, kind: K): { rule: AlertRule; p: RuleParameters[K] }[] {
  return (rules.get(kind) ?? []).map((rule) => ({ rule, p: parametersOf(kind, rule.parameters) }));
}

const iso = (d: Date) => d.toISOString();
const str = (v: unknown) => String(v ?? '');

/** Looks at one batch of outbox events, in order. */
export async function evaluateEvents(ctx: Context, events: OutboxEvent[]): Promise<void> {
  if (!events.some((e) => RELEVANT.has(e.type))) return;
  const rules = await enabledRules(ctx);
  if (!rules.size) return;
  for (const event of events) {
    switch (event.type) {
      case 'checkpointReport:reported':
      case 'checkpointReport:corrected':
        await onCheckpointReport(ctx, rules, event);
        break;
      case 'outputReport:reported':
      case 'outputReport:corrected':
        await onOutputReport(ctx, rules, event);
        break;
      case 'healthCheck:recorded':
        await onHealthCheck(ctx, rules, event);
        break;
      case 'allocation:planned':
        await onAllocationPlanned(ctx, rules, event);
        await checkStock(ctx, rules, str(event.payload.productId), event.seq);
        break;
      case 'product:safetyLevelSet':
        await checkStock(ctx, rules, event.subjectId, event.seq);
        break;
      case 'task:statusChanged':
        if (event.payload.to === 'DONE' || event.payload.to === 'CANCELLED') {
          for (const { rule } of each(rules, 'TASK_OVERDUE')) await resolveCleared(ctx, rule.id, 'Task', event.subjectId, `task ${str(event.payload.to).toLowerCase()}`);
        }
        break;
      case 'screen:connected':
        await screenConnected(ctx, rules.get('SCREEN_SILENT') ?? [], event.subjectId);
        break;
      case 'finding:resolved':
        for (const { rule } of each(rules, 'FINDING_OVERDUE')) await resolveCleared(ctx, rule.id, 'Finding', event.subjectId, 'finding rectified');
        break;
      case 'gateScans:recorded':
        await onGateScans(ctx, rules, event);
        break;
      case 'productionLine:statusChanged':
        if (event.payload.to !== 'HALTED') {
          for (const { rule } of each(rules, 'LINE_HALTED')) await resolveCleared(ctx, rule.id, 'ProductionLine', str(event.payload.lineId), `line ${str(event.payload.to).toLowerCase()}`);
        }
        break;
    }
  }
}

const RELEVANT = new Set([
  'checkpointReport:reported',
  'checkpointReport:corrected',
  'outputReport:reported',
  'outputReport:corrected',
  'healthCheck:recorded',
  'allocation:planned',
  'product:safetyLevelSet',
  'task:statusChanged',
  'finding:resolved',
  'productionLine:statusChanged',
  'gateScans:recorded',
  'screen:connected',
]);

async function onCheckpointReport(ctx: Context, rules: Rules, event: OutboxEvent): Promise<void> {
  const report = await ctx.prisma.checkpointReport.findUnique({ where: { id: event.subjectId }, include: { checkpoint: { include: { area: true } } } });
  if (!report) return;
  const site = report.checkpoint;
  const period = localPeriod(report.periodStart, report.periodEnd, ctx.timeZone);
  const base = { subjectType: 'Checkpoint', subjectId: site.id, areaPath: site.area.path, siteId: site.id, raisedSeq: event.seq };
  // A correction that supersedes a report is the same period: the same occurrence.
  for (const { rule, p } of each(rules, 'FEVER_AT_ENTRY')) {
    if (!report.supersededAt && p.checkpointKinds.includes(site.kind) && report.feverCases >= p.minFeverCases) {
      await raiseAlert(ctx, {
        ...base,
        rule,
        occurrence: iso(report.periodStart),
        message: `${site.name} ${period} 发现发热人员 ${report.feverCases} 人`,
        messageEn: `${site.nameEn}: ${report.feverCases} fever case(s) found ${period}`,
        details: { feverCases: report.feverCases, periodStart: report.periodStart, periodEnd: report.periodEnd, reportId: report.id },
      });
    }
  }
  for (const { rule } of each(rules, 'SILENT_SITE')) await resolveCleared(ctx, rule.id, 'Checkpoint', site.id, 'a report arrived');
  for (const { rule, p } of each(rules, 'SUSPICIOUS_FIGURES')) {
    const history = await ctx.prisma.$queryRaw<{ value: number }[]>`
      SELECT "peopleScreened" AS value FROM "CheckpointReport"
      WHERE "checkpointId" = ${site.id} AND "supersededAt" IS NULL
        AND "periodStart" >= ${instant(new Date(report.periodStart.getTime() - p.historyDays * DAY_MS))} AND "periodStart" < ${instant(report.periodStart)}
        AND EXTRACT(HOUR FROM "periodStart" AT TIME ZONE ${ctx.timeZone}) = EXTRACT(HOUR FROM ${instant(report.periodStart)} AT TIME ZONE ${ctx.timeZone})`;
    const z = modifiedZ(report.peopleScreened, history.map((h) => Number(h.value)), p.minSamples);
    if (z !== null && Math.abs(z) > p.maxModifiedZ) {
      await raiseAlert(ctx, {
        ...base,
        rule,
        occurrence: `${iso(report.periodStart)}:peopleScreened`,
        message: `${site.name} ${period} 筛查人数 ${report.peopleScreened} 与同时段历史差异很大，请核实`,
        messageEn: `${site.nameEn}: ${report.peopleScreened} people screened ${period} is far from the same hour's history; please check`,
        details: { figure: 'peopleScreened', value: report.peopleScreened, modifiedZ: Math.round(z * 100) / 100, samples: history.length, reportId: report.id },
      });
    }
  }
}

async function onOutputReport(ctx: Context, rules: Rules, event: OutboxEvent): Promise<void> {
  const report = await ctx.prisma.outputReport.findUnique({ where: { id: event.subjectId }, include: { line: { include: { enterprise: { include: { area: true } } } } } });
  if (!report) return;
  const line = report.line;
  for (const { rule } of each(rules, 'SILENT_SITE')) await resolveCleared(ctx, rule.id, 'ProductionLine', line.id, 'a report arrived');
  for (const { rule, p } of each(rules, 'SUSPICIOUS_FIGURES')) {
    const history = await ctx.prisma.$queryRaw<{ value: number }[]>`
      SELECT produced AS value FROM "OutputReport"
      WHERE "lineId" = ${line.id} AND "supersededAt" IS NULL
        AND "periodStart" >= ${instant(new Date(report.periodStart.getTime() - p.historyDays * DAY_MS))} AND "periodStart" < ${instant(report.periodStart)}
        AND EXTRACT(HOUR FROM "periodStart" AT TIME ZONE ${ctx.timeZone}) = EXTRACT(HOUR FROM ${instant(report.periodStart)} AT TIME ZONE ${ctx.timeZone})`;
    const z = modifiedZ(report.produced, history.map((h) => Number(h.value)), p.minSamples);
    if (z !== null && Math.abs(z) > p.maxModifiedZ) {
      const period = localPeriod(report.periodStart, report.periodEnd, ctx.timeZone);
      await raiseAlert(ctx, {
        rule,
        subjectType: 'ProductionLine',
        subjectId: line.id,
        areaPath: line.enterprise.area?.path ?? null,
        siteId: line.id,
        raisedSeq: event.seq,
        occurrence: `${iso(report.periodStart)}:produced`,
        message: `${line.name} ${period} 产量 ${report.produced} 与同时段历史差异很大，请核实`,
        messageEn: `${line.nameEn}: output ${report.produced} ${period} is far from the same hour's history; please check`,
        details: { figure: 'produced', value: report.produced, modifiedZ: Math.round(z * 100) / 100, samples: history.length, reportId: report.id },
      });
    }
  }
  await checkStock(ctx, rules, line.productId, event.seq);
}

async function onHealthCheck(ctx: Context, rules: Rules, event: OutboxEvent): Promise<void> {
  const check = await ctx.prisma.healthCheck.findUnique({ where: { id: event.subjectId }, include: { case: { include: { compound: true } } } });
  if (!check) return;
  const compound = check.case.compound;
  for (const { rule, p } of each(rules, 'ISOLATION_FEVER')) {
    if (check.temperature >= p.minTemperature) {
      // The message names the compound and the rule's threshold, never the person or the reading.
      await raiseAlert(ctx, {
        rule,
        subjectType: 'IsolationCase',
        subjectId: check.caseId,
        areaPath: compound.path,
        siteId: null,
        raisedSeq: event.seq,
        occurrence: check.id,
        message: `${compound.name} 居家隔离人员体温 ≥ ${p.minTemperature} °C`,
        messageEn: `${compound.nameEn}: a person in home isolation has a temperature ≥ ${p.minTemperature} °C`,
        details: { compoundId: compound.id, caseId: check.caseId, checkedAt: check.checkedAt },
      });
    }
  }
  for (const { rule } of each(rules, 'ISOLATION_NO_CHECK')) await resolveCleared(ctx, rule.id, 'IsolationCase', check.caseId, 'a health check was recorded');
}

/**
 * An allocation that takes a product's stock below its safety level. Stock counts planned allocations as
 * spent (supplies/stock.ts), so a planned one is the moment it *would* take stock below: the units
 * have not left yet (dispatch comes later), and the command room can still change course. One alert
 * per such allocation, naming it (beside the product's own stock-low alert, which says the state);
 * it resolves itself, like that one, when stock is back at or above the level.
 */
async function onAllocationPlanned(ctx: Context, rules: Rules, event: OutboxEvent): Promise<void> {
  const productId = str(event.payload.productId);
  const watching = each(rules, 'STOCK_LOW');
  if (!watching.length) return;
  const allocation = await ctx.prisma.allocation.findUnique({ where: { id: event.subjectId }, include: { product: true } });
  if (!allocation || allocation.status === 'CANCELLED') return;
  // The stock the allocation left, as it was decided under the product's lock.
  const after = Number(event.payload.stockAfter);
  const { product } = allocation;
  const threshold = product.safetyLevel;
  for (const { rule } of watching) {
    if (!Number.isFinite(after) || !isBelowSafetyLevel(after, threshold)) continue;
    await raiseAlert(ctx, {
      rule,
      subjectType: 'Allocation',
      subjectId: allocation.id,
      areaPath: null,
      siteId: null,
      raisedSeq: event.seq,
      occurrence: 'planned',
      message: `调拨${product.name} ${allocation.quantity} ${product.unit}后库存将为 ${after}，低于 ${threshold}`,
      messageEn: `Allocating ${allocation.quantity} ${product.unitEn}(s) of ${product.nameEn} leaves stock at ${after}, below ${threshold}`,
      details: { productId, allocationId: allocation.id, quantity: allocation.quantity, stockBefore: after + allocation.quantity, stockAfter: after, threshold, destination: allocation.destination },
    });
  }
}

/** Stock of one product against its safety level: raise below, resolve at or above (or when no level is kept). */
async function checkStock(ctx: Context, rules: Rules, productId: string, seq: bigint): Promise<void> {
  const watching = each(rules, 'STOCK_LOW');
  if (!watching.length) return;
  const [row] = await stockQuery(ctx.prisma, { productId });
  if (!row) return;
  for (const { rule } of watching) await stockCondition(ctx, rule, row, seq);
}

async function stockCondition(ctx: Context, rule: AlertRule, row: StockRow, seq: bigint) {
  const stock = Number(row.produced - row.allocated);
  const threshold = row.safetyLevel;
  if (!isBelowSafetyLevel(stock, threshold)) {
    await resolveCleared(ctx, rule.id, 'Product', row.id, `stock ${stock} ≥ ${threshold}`);
    const allocations = await ctx.prisma.alert.findMany({
      where: { ruleId: rule.id, subjectType: 'Allocation', status: { not: 'RESOLVED' }, details: { path: ['productId'], equals: row.id } },
      select: { subjectId: true },
    });
    for (const { subjectId } of allocations) await resolveCleared(ctx, rule.id, 'Allocation', subjectId, `stock ${stock} ≥ ${threshold}`);
    return;
  }
  await raiseAlert(ctx, {
    rule,
    subjectType: 'Product',
    subjectId: row.id,
    areaPath: null,
    siteId: null,
    raisedSeq: seq,
    occurrence: await episode(ctx, rule.id, 'Product', row.id),
    message: `${row.name}库存 ${stock} ${row.unit}，低于 ${threshold}`,
    messageEn: `${row.nameEn} stock ${stock} ${row.unitEn}(s), below ${threshold}`,
    details: { stock, threshold },
  });
}

/**
 * A condition without a natural instant (stock below a threshold, output under target) is told
 * apart by how many of its alerts for the subject were resolved before: every evaluator computes the
 * same number from the data, so concurrent ones meet on the same key.
 */
async function episode(ctx: Context, ruleId: string, subjectType: string, subjectId: string): Promise<string> {
  const resolved = await ctx.prisma.alert.count({ where: { ruleId, subjectType, subjectId, status: 'RESOLVED' } });
  return `episode:${resolved + 1}`;
}

/**
 * The modified z-score of `value` against `history` (Iglewicz and Hoaglin: 0.6745 (x − median) / MAD;
 * with a MAD of 0, the mean absolute deviation × 1.2533 instead). Null with fewer than `minSamples`
 * values or no spread at all.
 */
export function modifiedZ(value: number, history: number[], minSamples: number): number | null {
  if (history.length < minSamples) return null;
  const med = median(history);
  const deviations = history.map((h) => Math.abs(h - med));
  const mad = median(deviations);
  if (mad > 0) return (0.6745 * (value - med)) / mad;
  const meanAd = deviations.reduce((a, b) => a + b, 0) / deviations.length;
  if (meanAd > 0) return (value - med) / (1.2533 * meanAd);
  return null;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ───────────────────────────── the sweep ─────────────────────────────

/** Finds the conditions time brings about, and resolves those that cleared. */
export async function sweep(ctx: Context): Promise<void> {
  const rules = await enabledRules(ctx);
  for (const { rule, p } of each(rules, 'SILENT_SITE')) await silentSites(ctx, rule, p);
  for (const { rule, p } of each(rules, 'LINE_HALTED')) await haltedLines(ctx, rule, p);
  for (const { rule, p } of each(rules, 'OUTPUT_UNDER_TARGET')) await outputUnderTarget(ctx, rule, p);
  for (const { rule } of each(rules, 'STOCK_LOW')) {
    for (const row of await stockQuery(ctx.prisma, {})) await stockCondition(ctx, rule, row, 0n);
  }
  for (const { rule, p } of each(rules, 'ISOLATION_NO_CHECK')) await isolationWithoutCheck(ctx, rule, p);
  for (const { rule, p } of each(rules, 'TASK_OVERDUE')) await overdueTasks(ctx, rule, p);
  for (const { rule, p } of each(rules, 'FINDING_OVERDUE')) await overdueFindings(ctx, rule, p);
  for (const { rule, p } of each(rules, 'SCREEN_SILENT')) await silentScreens(ctx, rule, p);
}

interface SiteRow {
  type: 'Checkpoint' | 'ProductionLine';
  id: string;
  name: string;
  nameEn: string;
  path: string | null;
  interval: number;
  last: Date | null;
  /** Minutes the site was open (its opening hours, its opened–closed dates) since its last report ended; null when not watched. */
  openMinutes: number | null;
}

/**
 * A site is silent for the time it was open and did not report: the sum, over the local days from
 * its last report to now, of each day's opening (opening hours in local time, a closing at or
 * before the opening running past midnight) after the report's end and before now. Read from the
 * data on every sweep, so it holds across midnight and restarts; closed hours add nothing.
 */
async function silentSites(ctx: Context, rule: AlertRule, p: RuleParameters['SILENT_SITE']) {
  const now = ctx.now();
  const at = instant(now);
  const watchedSince = instant(new Date(now.getTime() - p.lookbackHours * HOUR_MS));
  const opening = openingBounds(Prisma.sql`d.at`, Prisma.sql`s.opens`, Prisma.sql`s.closes`, ctx.timeZone);
  // Sites in service now: checkpoints active and opened (not closed), lines producing (and not closed).
  const sites = await ctx.prisma.$queryRaw<SiteRow[]>`
    WITH site AS (
      SELECT 'Checkpoint' AS type, c.id, c.name, c."nameEn", a.path, c."reportIntervalMinutes" AS interval,
        c."opensAtMinute" AS opens, c."closesAtMinute" AS closes, c."openedAt",
        (SELECT MAX(r."periodEnd") FROM "CheckpointReport" r WHERE r."checkpointId" = c.id AND r."supersededAt" IS NULL) AS last
      FROM "Checkpoint" c JOIN "Area" a ON a.id = c."areaId"
      WHERE c.status = 'ACTIVE' AND (c."openedAt" IS NULL OR c."openedAt" <= ${at}) AND (c."closedAt" IS NULL OR c."closedAt" > ${at})
      UNION ALL
      SELECT 'ProductionLine', l.id, l.name, l."nameEn", a.path, l."reportIntervalMinutes",
        l."opensAtMinute", l."closesAtMinute", l."openedAt",
        (SELECT MAX(r."periodEnd") FROM "OutputReport" r WHERE r."lineId" = l.id AND r."supersededAt" IS NULL)
      FROM "ProductionLine" l JOIN "Enterprise" e ON e.id = l."enterpriseId" LEFT JOIN "Area" a ON a.id = e."areaId"
      WHERE l.status = 'PRODUCING' AND (l."closedAt" IS NULL OR l."closedAt" > ${at})
    )
    SELECT s.type, s.id, s.name, s."nameEn", s.path, s.interval, s.last,
      CASE WHEN s.last > ${watchedSince} THEN (
        SELECT COALESCE(SUM(GREATEST(EXTRACT(EPOCH FROM LEAST(w.closes_at, ${at}) - GREATEST(w.opens_at, s.last, COALESCE(s."openedAt", '-infinity'::timestamptz))), 0)), 0) / 60
        FROM (SELECT ${opening.opensAt} AS opens_at, ${opening.closesAt} AS closes_at
              FROM generate_series((s.last AT TIME ZONE ${ctx.timeZone})::date - 1, (${at} AT TIME ZONE ${ctx.timeZone})::date, interval '1 day') AS d(at)) w
      )::float8 END AS "openMinutes"
    FROM site s`;
  const inService = new Set<string>();
  for (const site of sites) {
    const { type: subjectType } = site;
    inService.add(`${subjectType}:${site.id}`);
    const limitMinutes = p.intervals * Number(site.interval);
    // Never reported, or silent longer than the look-back: not watched (out of service in all but name).
    if (!site.last || site.openMinutes === null) continue;
    if (site.openMinutes <= limitMinutes) {
      await resolveOpen(ctx, rule, subjectType, site.id, 'reporting again');
      continue;
    }
    const minutes = Math.floor(site.openMinutes);
    const wallMinutes = Math.floor((now.getTime() - site.last.getTime()) / MINUTE_MS);
    await raiseAlert(ctx, {
      rule,
      subjectType,
      subjectId: site.id,
      areaPath: site.path,
      siteId: site.id,
      raisedSeq: 0n,
      occurrence: iso(site.last),
      message: `${site.name} 营业时间内已 ${minutes} 分钟未上报（应每 ${site.interval} 分钟上报）`,
      messageEn: `${site.nameEn} has not reported for ${minutes} minutes of its opening hours (expected every ${site.interval})`,
      details: { lastReportEnd: site.last, silentMinutes: minutes, sinceLastReportMinutes: wallMinutes, reportIntervalMinutes: Number(site.interval) },
    });
  }
  // Sites taken out of service (closed, no longer producing) are not silent.
  for (const alert of await ctx.prisma.alert.findMany({ where: { ruleId: rule.id, status: { not: 'RESOLVED' } }, select: { subjectType: true, subjectId: true } })) {
    if (!inService.has(`${alert.subjectType}:${alert.subjectId}`)) await resolveCleared(ctx, rule.id, alert.subjectType, alert.subjectId, 'site out of service');
  }
}

/** Resolves only when something is unresolved: the sweep runs often and mostly finds nothing to do. */
async function resolveOpen(ctx: Context, rule: AlertRule, subjectType: string, subjectId: string, note: string) {
  const open = await ctx.prisma.alert.count({ where: { ruleId: rule.id, subjectType, subjectId, status: { not: 'RESOLVED' } } });
  if (open) await resolveCleared(ctx, rule.id, subjectType, subjectId, note);
}

async function haltedLines(ctx: Context, rule: AlertRule, p: RuleParameters['LINE_HALTED']) {
  const now = ctx.now();
  const lines = await ctx.prisma.productionLine.findMany({ include: { enterprise: { include: { area: true } } } });
  for (const line of lines) {
    const haltedMs = now.getTime() - line.statusChangedAt.getTime();
    if (line.status !== 'HALTED') {
      await resolveOpen(ctx, rule, 'ProductionLine', line.id, `line ${line.status.toLowerCase()}`);
    } else if (haltedMs > p.minutes * MINUTE_MS) {
      const minutes = Math.floor(haltedMs / MINUTE_MS);
      await raiseAlert(ctx, {
        rule,
        subjectType: 'ProductionLine',
        subjectId: line.id,
        areaPath: line.enterprise.area?.path ?? null,
        siteId: line.id,
        raisedSeq: 0n,
        occurrence: iso(line.statusChangedAt),
        message: `${line.name} 已停产 ${minutes} 分钟`,
        messageEn: `${line.nameEn} halted for ${minutes} minutes`,
        details: { haltedSince: line.statusChangedAt, minutes },
      });
    }
  }
}

async function outputUnderTarget(ctx: Context, rule: AlertRule, p: RuleParameters['OUTPUT_UNDER_TARGET']) {
  const now = ctx.now();
  const from = new Date(now.getTime() - p.windowHours * HOUR_MS);
  const rows = await ctx.prisma.$queryRaw<{ id: string; name: string; nameEn: string; path: string | null; capacity: number; produced: bigint; reports: number; status: string; since: Date }[]>`
    SELECT l.id, l.name, l."nameEn", a.path, l."ratedDailyCapacity" AS capacity, l.status, l."statusChangedAt" AS since, w.produced, w.reports
    FROM "ProductionLine" l JOIN "Enterprise" e ON e.id = l."enterpriseId" LEFT JOIN "Area" a ON a.id = e."areaId",
    LATERAL (SELECT COALESCE(SUM(r.produced), 0)::bigint AS produced, COUNT(*)::int AS reports FROM "OutputReport" r
        WHERE r."lineId" = l.id AND r."supersededAt" IS NULL AND r."periodStart" >= ${instant(from)} AND r."periodEnd" <= ${instant(now)}) w`;
  for (const line of rows) {
    const target = (Number(line.capacity) * p.windowHours) / 24;
    const produced = Number(line.produced);
    // Judged only on a line producing for the whole window.
    // A line that reported nothing in the window is the silent-site rule's business.
    const judged = line.status === 'PRODUCING' && line.since.getTime() <= from.getTime() && target > 0 && line.reports > 0;
    if (!judged || produced >= (target * p.minPercent) / 100) {
      await resolveOpen(ctx, rule, 'ProductionLine', line.id, judged ? `output ${produced} back at ≥ ${p.minPercent}% of target` : 'line not producing');
      continue;
    }
    const percent = Math.round((produced / target) * 100);
    await raiseAlert(ctx, {
      rule,
      subjectType: 'ProductionLine',
      subjectId: line.id,
      areaPath: line.path,
      siteId: line.id,
      raisedSeq: 0n,
      occurrence: await episode(ctx, rule.id, 'ProductionLine', line.id),
      message: `${line.name} 近 ${p.windowHours} 小时产量 ${produced}，仅为产能的 ${percent}%`,
      messageEn: `${line.nameEn}: output ${produced} over the last ${p.windowHours} h, ${percent}% of capacity`,
      details: { produced, target: Math.round(target), percent, windowHours: p.windowHours },
    });
  }
}

async function isolationWithoutCheck(ctx: Context, rule: AlertRule, p: RuleParameters['ISOLATION_NO_CHECK']) {
  const now = ctx.now();
  const day = today(now, ctx.timeZone);
  const [hh, mm] = p.byLocalTime.split(':').map(Number);
  const deadline = new Date(day.start.getTime() + (hh! * 60 + mm!) * MINUTE_MS);
  const at = instant(now);
  const cases = await ctx.prisma.$queryRaw<{ id: string; compoundId: string; name: string; nameEn: string; path: string; checked: boolean }[]>`
    SELECT c.id, c."compoundId", a.name, a."nameEn", a.path,
      EXISTS (SELECT 1 FROM "HealthCheck" h WHERE h."caseId" = c.id AND h."checkedAt" >= ${instant(day.start)} AND h."checkedAt" < ${instant(day.end)}) AS checked
    FROM "IsolationCase" c JOIN "Area" a ON a.id = c."compoundId"
    WHERE c.status = 'ACTIVE' AND c."startedAt" < ${instant(day.start)} AND (c."endsAt" IS NULL OR c."endsAt" > ${at})`;
  for (const c of cases) {
    if (c.checked) {
      await resolveOpen(ctx, rule, 'IsolationCase', c.id, 'a health check was recorded');
    } else if (now.getTime() >= deadline.getTime()) {
      await raiseAlert(ctx, {
        rule,
        subjectType: 'IsolationCase',
        subjectId: c.id,
        areaPath: c.path,
        siteId: null,
        raisedSeq: 0n,
        occurrence: day.day,
        message: `${c.name} 居家隔离人员今日 ${p.byLocalTime} 前未做健康检查`,
        messageEn: `${c.nameEn}: a person in home isolation has had no health check today by ${p.byLocalTime}`,
        details: { compoundId: c.compoundId, caseId: c.id, day: day.day },
      });
    }
  }
}

async function overdueTasks(ctx: Context, rule: AlertRule, p: RuleParameters['TASK_OVERDUE']) {
  const now = ctx.now();
  const tasks = await ctx.prisma.task.findMany({
    where: {
      status: { in: ['OPEN', 'IN_PROGRESS'] },
      dueAt: { lt: new Date(now.getTime() - p.graceMinutes * MINUTE_MS), gt: new Date(now.getTime() - p.lookbackDays * DAY_MS) },
    },
  });
  for (const task of tasks) {
    await raiseAlert(ctx, {
      rule,
      subjectType: 'Task',
      subjectId: task.id,
      areaPath: null,
      siteId: null,
      raisedSeq: 0n,
      occurrence: iso(task.dueAt!),
      message: `任务逾期：${task.title}`,
      messageEn: `Task overdue: ${task.titleEn ?? task.title}`,
      details: { dueAt: task.dueAt, status: task.status },
    });
  }
  const open = await ctx.prisma.alert.findMany({ where: { ruleId: rule.id, status: { not: 'RESOLVED' } }, select: { subjectId: true } });
  if (!open.length) return;
  const closed = await ctx.prisma.task.findMany({ where: { id: { in: open.map((a) => a.subjectId) }, status: { in: ['DONE', 'CANCELLED'] } } });
  for (const task of closed) await resolveCleared(ctx, rule.id, 'Task', task.id, `task ${task.status.toLowerCase()}`);
}

async function overdueFindings(ctx: Context, rule: AlertRule, p: RuleParameters['FINDING_OVERDUE']) {
  const now = ctx.now();
  const deadlineBefore = new Date(now.getTime() - p.rectifyWithinDays * DAY_MS);
  const findings = await ctx.prisma.finding.findMany({
    where: { resolvedAt: null, inspection: { heldAt: { lt: deadlineBefore, gt: new Date(deadlineBefore.getTime() - p.lookbackDays * DAY_MS) } } },
    include: { inspection: true, siteArea: true },
  });
  for (const finding of findings) {
    const deadline = new Date(finding.inspection.heldAt.getTime() + p.rectifyWithinDays * DAY_MS);
    await raiseAlert(ctx, {
      rule,
      subjectType: 'Finding',
      subjectId: finding.id,
      areaPath: finding.siteArea?.path ?? null,
      siteId: finding.siteCheckpointId,
      raisedSeq: 0n,
      occurrence: iso(deadline),
      message: `${finding.siteName} 问题逾期未整改：${finding.problem}`,
      messageEn: `${finding.siteName}: finding not rectified in time: ${finding.problemEn}`,
      details: { inspectionId: finding.inspectionId, deadline },
    });
  }
  const open = await ctx.prisma.alert.findMany({ where: { ruleId: rule.id, status: { not: 'RESOLVED' } }, select: { subjectId: true } });
  if (!open.length) return;
  const fixed = await ctx.prisma.finding.findMany({ where: { id: { in: open.map((a) => a.subjectId) }, resolvedAt: { not: null } } });
  for (const finding of fixed) await resolveCleared(ctx, rule.id, 'Finding', finding.id, 'finding rectified');
}

