import { Prisma, type PrismaClient } from '@fangkong/prisma';
import { addDays, CURVE_MAX_DAYS, localDate, localDay, RESPONSE_FIRST_DAY } from '@fangkong/zone';
import type { Tx } from '../core/changes.ts';
import { instant } from '../core/sql.ts';
import { byCheckpoint, countsQuery, zeroCounts, type CheckpointCounts } from '../checkpoints/counts.ts';
import { COMPLETENESS_SETTINGS, computeCompleteness, DEFAULT_GRACE_MINUTES } from '../completeness/completeness.ts';
import { byLine, outputQuery } from '../production/output.ts';
import { checkpointBucketSums } from '../summary/series.ts';
import type { AreaTotals } from '../summary/area-totals.ts';
import { computeZoneSummary } from '../summary/zone-summary.ts';

// What a daily briefing (专题简报) says, computed from the data in the issuing transaction's one
// snapshot. Every figure comes from the aggregate that answers the same question elsewhere in the
// API (zoneSummary, checkpointSeries, countsOn/outputOn, reportingCompleteness), so the briefing
// and an independent query of the same day agree. Only what no other query counts (isolation
// movements, command work, alerts of the day) is counted here. Counts only: no personal data.

/** A resumption application is to be decided within this many working days. */
export const RESUMPTION_TARGET_WORKING_DAYS = 2;
/** Body temperature from which a health check counts as fever (as the isolation-fever alert rule's default). */
export const FEVER_TEMPERATURE = 37.3;

type Counts = CheckpointCounts;

export interface BriefingContent {
  day: string;
  dayStart: string;
  dayEnd: string;
  timeZone: string;
  area: { id: string; name: string; nameEn: string };
  firstDay: string;
  headline: { day: Counts; previousDay: Counts; sinceFirstDay: Counts };
  byKind: { kind: string; checkpoints: number; sitesReporting: number; sitesMissingPeriods: number; counts: Counts }[];
  sites: {
    checkpointId: string;
    name: string;
    nameEn: string;
    kind: string;
    counts: Counts;
    expectedPeriods: number;
    receivedPeriods: number;
    missingPeriods: number;
  }[];
  production: {
    lines: {
      lineId: string;
      name: string;
      nameEn: string;
      enterpriseId: string;
      enterpriseName: string;
      enterpriseNameEn: string;
      productName: string;
      productNameEn: string;
      unit: string;
      unitEn: string;
      status: string;
      ratedDailyCapacity: number;
      produced: number;
      passedQc: number;
      simulatedReports: number;
    }[];
    enterprises: { enterpriseId: string; name: string; nameEn: string; produced: number; passedQc: number; ratedCapacity: number; linesProducing: number }[];
    statusChanges: { lineId: string; lineName: string; lineNameEn: string; from: string | null; to: string; at: string }[];
    allocations: { destination: string; productName: string; productNameEn: string; unit: string; unitEn: string; planned: number; dispatched: number; delivered: number }[];
    stock: { productId: string; name: string; nameEn: string; unit: string; unitEn: string; produced: number; allocated: number; stock: number }[];
  };
  isolation: { underIsolation: number; started: number; ended: number; checksDue: number; checksDone: number; feverDuringIsolation: number; simulatedCases: number };
  command: {
    meetings: { title: string; titleEn: string; heldAt: string; directives: { ordinal: number; text: string; textEn: string }[] }[];
    tasks: { due: number; done: number; overdue: number; byOwner: { owner: string; ownerEn: string; due: number; done: number; overdue: number }[] };
    findings: { raised: number; rectified: number; openAtDayEnd: number; raisedToday: { siteName: string; problem: string; problemEn: string; rectified: boolean }[] };
    resumption: {
      received: number;
      decided: number;
      approved: number;
      rejected: number;
      withinTarget: number;
      overTarget: number;
      pendingOverTarget: number;
      targetWorkingDays: number;
      applications: { enterpriseName: string; enterpriseNameEn: string; submittedAt: string; decidedAt: string | null; status: string; workingDaysTaken: number | null; withinTarget: boolean | null }[];
    };
  };
  alerts: {
    raised: number;
    acknowledged: number;
    resolved: number;
    openAtDayEnd: number;
    raisedToday: { severity: string; kind: string; status: string; message: string; messageEn: string; raisedAt: string }[];
  };
  charts: {
    hourly: { start: string; peopleScreened: number; feverCases: number }[];
    daily: { day: string; peopleScreened: number; feverCases: number }[];
  };
  simulated: { checkpointReports: number; outputReports: number; isolationCases: number };
}

const n = (value: bigint | number | null | undefined) => Number(value ?? 0);
const iso = (at: Date | string) => new Date(at).toISOString();

/** Local weekdays after the submission's day up to and including the decision's day (Saturdays and Sundays skipped). */
export function workingDaysBetween(from: Date, to: Date, timeZone: string): number {
  let count = 0;
  const last = localDate(to, timeZone);
  for (let day = addDays(localDate(from, timeZone), 1); day <= last; day = addDays(day, 1)) {
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (weekday !== 0 && weekday !== 6) count++;
  }
  return count;
}

/** Who answers for a task or finding: the leader named, else the unit, else nobody. */
export function ownerOf(item: { ownerPerson: { name: string; nameEn: string } | null; ownerDepartment: { name: string; nameEn: string } | null }) {
  return item.ownerPerson ?? item.ownerDepartment ?? { name: '未指定', nameEn: 'unassigned' };
}

function addCounts(into: Counts, add: Counts): Counts {
  for (const key of Object.keys(into) as (keyof Counts)[]) into[key] += add[key];
  return into;
}

/**
 * The briefing of `areaId` for `day`, read through `tx` (the caller's REPEATABLE READ transaction),
 * as of `now`. With `approved` the headline of the day is the approved version's totals.
 */
export async function computeBriefingContent(
  prisma: PrismaClient,
  tx: Tx,
  { areaId, day: dayText, timeZone, now, approved }: { areaId: string; day: string; timeZone: string; now: Date; approved: AreaTotals | null },
): Promise<BriefingContent> {
  const day = localDay(dayText, timeZone);
  const previous = localDay(addDays(dayText, -1), timeZone);
  const at = now < day.end ? now : day.end;
  const area = await tx.area.findUniqueOrThrow({ where: { id: areaId }, select: { id: true, name: true, nameEn: true, path: true, parentId: true } });
  const inArea = (pathColumn: Prisma.Sql) => Prisma.sql`${pathColumn} LIKE ${`${area.path.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`;

  const summary = await computeZoneSummary(prisma, day, timeZone, now, areaId, tx);
  const previousSummary = await computeZoneSummary(prisma, previous, timeZone, now, areaId, tx);
  const firstDay = dayText < RESPONSE_FIRST_DAY ? dayText : RESPONSE_FIRST_DAY;
  const dailySums = await checkpointBucketSums(tx, { start: localDay(firstDay, timeZone).start, end: day.end, bucket: 'day', timeZone, within: areaId });
  const hourlySums = await checkpointBucketSums(tx, { start: day.start, end: day.end, bucket: 'hour', timeZone, within: areaId });
  const completeness = await computeCompleteness(
    inTransaction(tx),
    { from: dayText, to: dayText, within: areaId, kinds: ['CHECKPOINT'], graceMinutes: DEFAULT_GRACE_MINUTES },
    timeZone,
    now,
    { listMissing: false },
  );
  // computeCompleteness plans its statement with settings of its own for the transaction, which would
  // last for the rest of this one: the briefing's other reads are planned as usual.
  await tx.$executeRawUnsafe(
    `SELECT set_config(name, reset_val, true) FROM pg_settings WHERE name IN (${Object.keys(COMPLETENESS_SETTINGS).map((name) => `'${name}'`).join(', ')})`,
  );

  // ── checkpoints: the headline, per kind, per site ──
  const sinceFirstDay = dailySums.reduce((sum, row) => addCounts(sum, row.figures), zeroCounts());
  const checkpoints = await tx.checkpoint.findMany({
    where: { area: { path: { startsWith: area.path } } },
    select: { id: true, name: true, nameEn: true, kind: true },
    orderBy: [{ kind: 'asc' }, { id: 'asc' }],
  });
  const siteCounts = byCheckpoint(checkpoints.map((c) => c.id), await countsQuery(tx, checkpoints.map((c) => c.id), day.start, day.end, timeZone));
  const siteSchedule = new Map(completeness.sites.map((s) => [s.siteId, s]));
  const sites = checkpoints.map((c, i) => {
    const schedule = siteSchedule.get(c.id);
    return {
      checkpointId: c.id,
      name: c.name,
      nameEn: c.nameEn,
      kind: c.kind,
      counts: siteCounts[i]!,
      expectedPeriods: schedule?.expected ?? 0,
      receivedPeriods: schedule?.received ?? 0,
      missingPeriods: schedule ? schedule.expected - schedule.received : 0,
    };
  });
  const byKind = summary.byCheckpointKind.map((row) => {
    const ofKind = sites.filter((s) => s.kind === row.kind);
    return {
      kind: row.kind,
      checkpoints: row.checkpoints,
      sitesReporting: ofKind.filter((s) => s.counts.reports > 0).length,
      sitesMissingPeriods: ofKind.filter((s) => s.missingPeriods > 0).length,
      counts: row.counts,
    };
  });

  // ── production ──
  const lines = await tx.productionLine.findMany({
    where: { enterprise: { area: { path: { startsWith: area.path } } } },
    select: {
      id: true, name: true, nameEn: true, status: true, ratedDailyCapacity: true,
      enterprise: { select: { id: true, name: true, nameEn: true } },
      product: { select: { name: true, nameEn: true, unit: true, unitEn: true } },
      statusHistory: { where: { at: { lte: at } }, orderBy: { at: 'desc' }, take: 1, select: { to: true } },
    },
    orderBy: [{ enterpriseId: 'asc' }, { id: 'asc' }],
  });
  const lineOutput = byLine(lines.map((l) => l.id), await outputQuery(tx, lines.map((l) => l.id), day.start, day.end));
  const lineRows = lines.map((l, i) => ({
    lineId: l.id,
    name: l.name,
    nameEn: l.nameEn,
    enterpriseId: l.enterprise.id,
    enterpriseName: l.enterprise.name,
    enterpriseNameEn: l.enterprise.nameEn,
    productName: l.product.name,
    productNameEn: l.product.nameEn,
    unit: l.product.unit,
    unitEn: l.product.unitEn,
    // As zoneSummary reads it: the last status change up to the day's end (or now), else the line's status.
    status: l.statusHistory[0]?.to ?? l.status,
    ratedDailyCapacity: l.ratedDailyCapacity,
    produced: lineOutput[i]!.produced,
    passedQc: lineOutput[i]!.passedQc,
    simulatedReports: lineOutput[i]!.simulatedReports,
  }));
  const enterprises = [...new Set(lineRows.map((l) => l.enterpriseId))].map((id) => {
    const of = lineRows.filter((l) => l.enterpriseId === id);
    const producing = of.filter((l) => l.status === 'PRODUCING');
    return {
      enterpriseId: id,
      name: of[0]!.enterpriseName,
      nameEn: of[0]!.enterpriseNameEn,
      produced: of.reduce((s, l) => s + l.produced, 0),
      passedQc: of.reduce((s, l) => s + l.passedQc, 0),
      ratedCapacity: producing.reduce((s, l) => s + l.ratedDailyCapacity, 0),
      linesProducing: producing.length,
    };
  });
  const statusChanges = await tx.lineStatusChange.findMany({
    where: { at: { gte: day.start, lt: day.end }, lineId: { in: lines.map((l) => l.id) } },
    orderBy: [{ at: 'asc' }, { id: 'asc' }],
    select: { lineId: true, from: true, to: true, at: true, line: { select: { name: true, nameEn: true } } },
  });
  const allocationRows = await tx.$queryRaw<{ destination: string; name: string; nameEn: string; unit: string; unitEn: string; planned: bigint; dispatched: bigint; delivered: bigint }[]>`
    SELECT a.destination::text AS destination, p.name, p."nameEn", p.unit, p."unitEn",
      COALESCE(SUM(a.quantity) FILTER (WHERE a."plannedAt" >= ${instant(day.start)} AND a."plannedAt" < ${instant(day.end)}), 0)::bigint AS planned,
      COALESCE(SUM(a.quantity) FILTER (WHERE a."dispatchedAt" >= ${instant(day.start)} AND a."dispatchedAt" < ${instant(day.end)}), 0)::bigint AS dispatched,
      COALESCE(SUM(a.quantity) FILTER (WHERE a."deliveredAt" >= ${instant(day.start)} AND a."deliveredAt" < ${instant(day.end)}), 0)::bigint AS delivered
    FROM "Allocation" a JOIN "Product" p ON p.id = a."productId"
    WHERE a.status <> 'CANCELLED'
      AND ((a."plannedAt" >= ${instant(day.start)} AND a."plannedAt" < ${instant(day.end)})
        OR (a."dispatchedAt" >= ${instant(day.start)} AND a."dispatchedAt" < ${instant(day.end)})
        OR (a."deliveredAt" >= ${instant(day.start)} AND a."deliveredAt" < ${instant(day.end)}))
    GROUP BY a.destination, p.id, p.name, p."nameEn", p.unit, p."unitEn", p.category
    ORDER BY a.destination, p.category, p.id`;

  // ── isolation: counts only ──
  // Begun and ended on the day: the zone summary's counts (summary/zone-summary.ts), defined there once.
  const [isolation] = await tx.$queryRaw<{ due: bigint; done: bigint; fever: bigint }[]>`
    WITH cases AS (
      SELECT i.* FROM "IsolationCase" i JOIN "Area" a ON a.id = i."compoundId" WHERE ${inArea(Prisma.sql`a.path`)}
    ), checks AS (
      SELECT h."caseId", h.temperature FROM "HealthCheck" h
      WHERE h."checkedAt" >= ${instant(day.start)} AND h."checkedAt" < ${instant(day.end)} AND h."caseId" IN (SELECT id FROM cases)
    ), due AS (
      -- A case under isolation when the day began owes that day's check (as the isolation-no-check rule reads it).
      SELECT id FROM cases WHERE "startedAt" < ${instant(day.start)} AND ("endedAt" IS NULL OR "endedAt" > ${instant(day.start)})
    )
    SELECT
      (SELECT COUNT(*) FROM due)::bigint AS due,
      (SELECT COUNT(DISTINCT "caseId") FROM checks WHERE "caseId" IN (SELECT id FROM due))::bigint AS done,
      (SELECT COUNT(DISTINCT "caseId") FROM checks WHERE temperature >= ${FEVER_TEMPERATURE})::bigint AS fever`;

  // ── command work (the headquarters' own: zone-wide) ──
  const meetings = await tx.meeting.findMany({
    where: { heldAt: { gte: day.start, lt: day.end } },
    orderBy: { heldAt: 'asc' },
    select: { title: true, titleEn: true, heldAt: true, directives: { orderBy: { ordinal: 'asc' }, select: { ordinal: true, text: true, textEn: true } } },
  });
  const tasks = await tx.task.findMany({
    where: { dueAt: { lt: day.end }, status: { not: 'CANCELLED' } },
    select: { dueAt: true, status: true, ownerPerson: { select: { name: true, nameEn: true } }, ownerDepartment: { select: { name: true, nameEn: true } } },
  });
  const owners = new Map<string, { owner: string; ownerEn: string; due: number; done: number; overdue: number }>();
  const taskTotals = { due: 0, done: 0, overdue: 0 };
  for (const task of tasks) {
    const owner = ownerOf(task);
    const row = owners.get(owner.name) ?? { owner: owner.name, ownerEn: owner.nameEn, due: 0, done: 0, overdue: 0 };
    const dueToday = task.dueAt! >= day.start;
    const done = task.status === 'DONE';
    if (dueToday) {
      row.due++;
      taskTotals.due++;
      if (done) {
        row.done++;
        taskTotals.done++;
      }
    }
    if (!done) {
      row.overdue++;
      taskTotals.overdue++;
    }
    if (dueToday || !done) owners.set(owner.name, row);
  }
  const findingsOfDay = await tx.finding.findMany({
    where: { inspection: { heldAt: { lt: day.end } }, OR: [{ resolvedAt: null }, { resolvedAt: { gte: day.start } }] },
    orderBy: { id: 'asc' },
    select: { siteName: true, problem: true, problemEn: true, resolvedAt: true, inspection: { select: { heldAt: true } } },
  });
  const raisedToday = findingsOfDay.filter((f) => f.inspection.heldAt >= day.start);
  const applications = await tx.resumptionApplication.findMany({
    where: { OR: [{ submittedAt: { gte: day.start, lt: day.end } }, { decidedAt: { gte: day.start, lt: day.end } }, { status: 'SUBMITTED', submittedAt: { lt: day.end } }] },
    orderBy: { submittedAt: 'asc' },
    select: { submittedAt: true, decidedAt: true, status: true, enterprise: { select: { name: true, nameEn: true } } },
  });
  const applicationRows = applications.map((a) => {
    const decided = a.decidedAt && a.decidedAt < day.end ? a.decidedAt : null;
    // Waiting: counted up to 24:00 of the day (its last instant, so the next day is not counted).
    const taken = workingDaysBetween(a.submittedAt, decided ?? new Date(day.end.getTime() - 1), timeZone);
    return {
      enterpriseName: a.enterprise.name,
      enterpriseNameEn: a.enterprise.nameEn,
      submittedAt: iso(a.submittedAt),
      decidedAt: decided ? iso(decided) : null,
      status: decided ? a.status : 'SUBMITTED',
      workingDaysTaken: decided ? taken : null,
      withinTarget: decided ? taken <= RESUMPTION_TARGET_WORKING_DAYS : null,
      pendingOver: !decided && taken > RESUMPTION_TARGET_WORKING_DAYS,
      decidedToday: !!decided && decided >= day.start,
    };
  });
  const decidedToday = applicationRows.filter((a) => a.decidedToday);

  // ── alerts of the day (those of sites in the area; zone-wide ones too for a top-level area) ──
  const [alertFigures] = await tx.$queryRaw<{ raised: bigint; acknowledged: bigint; resolved: bigint; open: bigint }[]>`
    SELECT
      COUNT(*) FILTER (WHERE "raisedAt" >= ${instant(day.start)} AND "raisedAt" < ${instant(day.end)})::bigint AS raised,
      COUNT(*) FILTER (WHERE "acknowledgedAt" >= ${instant(day.start)} AND "acknowledgedAt" < ${instant(day.end)})::bigint AS acknowledged,
      COUNT(*) FILTER (WHERE "resolvedAt" >= ${instant(day.start)} AND "resolvedAt" < ${instant(day.end)})::bigint AS resolved,
      COUNT(*) FILTER (WHERE "raisedAt" < ${instant(day.end)} AND ("resolvedAt" IS NULL OR "resolvedAt" >= ${instant(day.end)}))::bigint AS open
    FROM "Alert" WHERE ${alertsInArea(area, inArea)}`;
  const alertsRaised = await tx.$queryRaw<{ severity: string; kind: string; status: string; message: string; messageEn: string; raisedAt: Date; resolvedAt: Date | null; acknowledgedAt: Date | null }[]>`
    SELECT severity::text, kind::text, status::text, message, "messageEn", "raisedAt", "resolvedAt", "acknowledgedAt" FROM "Alert"
    WHERE "raisedAt" >= ${instant(day.start)} AND "raisedAt" < ${instant(day.end)} AND ${alertsInArea(area, inArea)}
    ORDER BY CASE severity WHEN 'HIGH' THEN 0 WHEN 'MEDIUM' THEN 1 ELSE 2 END, "raisedAt", id`;

  const hourlyByStart = new Map(hourlySums.map((row) => [row.bucket_start.getTime(), row.figures]));
  const hourly = [];
  for (let start = day.start.getTime(); start < day.end.getTime(); start += 3_600_000) {
    const figures = hourlyByStart.get(start);
    hourly.push({ start: iso(new Date(start)), peopleScreened: figures?.peopleScreened ?? 0, feverCases: figures?.feverCases ?? 0 });
  }
  const dailyByDay = new Map(dailySums.map((row) => [localDate(row.bucket_start, timeZone), row.figures]));
  const daily = [];
  for (let d = [addDays(dayText, 1 - CURVE_MAX_DAYS), firstDay].sort()[1]!; d <= dayText; d = addDays(d, 1)) {
    const figures = dailyByDay.get(d);
    daily.push({ day: d, peopleScreened: figures?.peopleScreened ?? 0, feverCases: figures?.feverCases ?? 0 });
  }

  return {
    day: dayText,
    dayStart: iso(day.start),
    dayEnd: iso(day.end),
    timeZone,
    area: { id: area.id, name: area.name, nameEn: area.nameEn },
    firstDay,
    headline: {
      day: approved ? { ...summary.checkpointTotals, ...approved.checkpointTotals } : summary.checkpointTotals,
      previousDay: previousSummary.checkpointTotals,
      sinceFirstDay,
    },
    byKind,
    sites,
    production: {
      lines: lineRows,
      enterprises,
      statusChanges: statusChanges.map((c) => ({ lineId: c.lineId, lineName: c.line.name, lineNameEn: c.line.nameEn, from: c.from, to: c.to, at: iso(c.at) })),
      allocations: allocationRows.map((r) => ({
        destination: r.destination,
        productName: r.name,
        productNameEn: r.nameEn,
        unit: r.unit,
        unitEn: r.unitEn,
        planned: n(r.planned),
        dispatched: n(r.dispatched),
        delivered: n(r.delivered),
      })),
      stock: summary.stock.map((s) => ({ productId: s.product.id, name: s.product.name, nameEn: s.product.nameEn, unit: s.product.unit, unitEn: s.product.unitEn, produced: s.produced, allocated: s.allocated, stock: s.stock })),
    },
    isolation: {
      underIsolation: summary.peopleUnderIsolation,
      started: summary.isolation.startedOnDay,
      ended: summary.isolation.endedOnDay,
      checksDue: n(isolation?.due),
      checksDone: n(isolation?.done),
      feverDuringIsolation: n(isolation?.fever),
      simulatedCases: summary.simulatedIsolationCases,
    },
    command: {
      meetings: meetings.map((m) => ({ title: m.title, titleEn: m.titleEn, heldAt: iso(m.heldAt), directives: m.directives })),
      tasks: { ...taskTotals, byOwner: [...owners.values()].sort((a, b) => b.overdue - a.overdue || b.due - a.due || a.owner.localeCompare(b.owner)) },
      findings: {
        raised: raisedToday.length,
        rectified: findingsOfDay.filter((f) => f.resolvedAt && f.resolvedAt < day.end).length,
        openAtDayEnd: findingsOfDay.filter((f) => !f.resolvedAt || f.resolvedAt >= day.end).length,
        raisedToday: raisedToday.map((f) => ({ siteName: f.siteName, problem: f.problem, problemEn: f.problemEn, rectified: !!f.resolvedAt && f.resolvedAt < day.end })),
      },
      resumption: {
        received: applicationRows.filter((a) => new Date(a.submittedAt) >= day.start).length,
        decided: decidedToday.length,
        approved: decidedToday.filter((a) => a.status === 'APPROVED').length,
        rejected: decidedToday.filter((a) => a.status === 'REJECTED').length,
        withinTarget: decidedToday.filter((a) => a.withinTarget).length,
        overTarget: decidedToday.filter((a) => a.withinTarget === false).length,
        pendingOverTarget: applicationRows.filter((a) => a.pendingOver).length,
        targetWorkingDays: RESUMPTION_TARGET_WORKING_DAYS,
        applications: applicationRows.map(({ pendingOver: _p, decidedToday: _d, ...row }) => row),
      },
    },
    alerts: {
      raised: n(alertFigures?.raised),
      acknowledged: n(alertFigures?.acknowledged),
      resolved: n(alertFigures?.resolved),
      openAtDayEnd: n(alertFigures?.open),
      raisedToday: alertsRaised.map((a) => ({
        severity: a.severity,
        kind: a.kind,
        // The status at the day's end, not now.
        status: a.resolvedAt && a.resolvedAt < day.end ? 'RESOLVED' : a.acknowledgedAt && a.acknowledgedAt < day.end ? 'ACKNOWLEDGED' : 'OPEN',
        message: a.message,
        messageEn: a.messageEn,
        raisedAt: iso(a.raisedAt),
      })),
    },
    charts: { hourly, daily },
    simulated: {
      checkpointReports: summary.checkpointTotals.simulatedReports,
      outputReports: lineRows.reduce((s, l) => s + l.simulatedReports, 0),
      isolationCases: summary.simulatedIsolationCases,
    },
  };
}

/**
 * `tx` in the shape of a client for computeCompleteness, which batches its statements in a
 * transaction of its own: here they run in the briefing's (one snapshot; the embedded database
 * holds one transaction at a time, so a second would wait for this one for ever).
 */
function inTransaction(tx: Tx): PrismaClient {
  return new Proxy(tx, {
    get: (target, key) =>
      key === '$transaction'
        ? async (batch: PromiseLike<unknown>[]) => {
            const results = [];
            for (const statement of batch) results.push(await statement);
            return results;
          }
        : Reflect.get(target, key),
  }) as unknown as PrismaClient;
}

/** Alerts about subjects in the area; those with no area (stock, zone-wide tasks) belong to a top-level area's briefing. */
function alertsInArea(area: { parentId: string | null }, inArea: (column: Prisma.Sql) => Prisma.Sql) {
  return area.parentId === null ? Prisma.sql`("areaPath" IS NULL OR ${inArea(Prisma.sql`"areaPath"`)})` : inArea(Prisma.sql`"areaPath"`);
}

