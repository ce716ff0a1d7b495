import { outboxPosition, Prisma, type PrismaClient } from '@fangkong/prisma';
import { addDays, localDate, localDay, type LocalDay } from '@fangkong/zone';
import { builder } from '../core/builder.ts';
import { invalidArgument } from '../core/errors.ts';
import { listSize } from '../core/list-size.ts';
import { instant, textArray } from '../core/sql.ts';
import { AreaLevel, AreaRef, loadArea } from '../places/places.ts';
import { openingBounds } from './schedule.ts';

// Who has reported: every site's expected reporting periods (its schedule: opening hours in local
// time, every reportIntervalMinutes, between the dates it opened and closed) against the reports
// received for them. One statement: the expected periods are generated in SQL, so a site that sent
// nothing counts every period as missing (zero-filled) without a row per period leaving the database.

export const SITE_KINDS = ['CHECKPOINT', 'PRODUCTION_LINE'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export const SiteKindEnum = builder.enumType('SiteKind', {
  description: 'The kinds of site that report on a schedule.',
  values: {
    CHECKPOINT: { description: 'A checkpoint reporting counts.' },
    PRODUCTION_LINE: { description: 'A production line reporting output.' },
  } as const,
});

/** Minutes after a period ends that a report still counts as on time, unless a query says otherwise. */
export const DEFAULT_GRACE_MINUTES = 30;
/** The longest range one completeness query may cover, in local days. */
export const MAX_COMPLETENESS_DAYS = 31;
/** The hour since the epoch an instant falls in (date_part gives a float: EXTRACT's numeric is slow). */
const firstHour = (at: Prisma.Sql) => Prisma.sql`floor(date_part('epoch', ${at}) / 3600)::bigint`;
/** The last hour since the epoch a period ending (exclusive) at `end` touches. */
const lastHour = (end: Prisma.Sql) => Prisma.sql`(ceil(date_part('epoch', ${end}) / 3600)::bigint - 1)`;
/** Longest period a report may cover (rules.ts): a report starting earlier cannot overlap the range. */
const MAX_REPORT_HOURS = 24;

export interface CompletenessFigures {
  expected: number;
  received: number;
  receivedOnTime: number;
}

export interface SiteCompleteness extends CompletenessFigures {
  kind: SiteKind;
  siteId: string;
  name: string;
  nameEn: string;
  areaId: string | null;
  /** Starts of the expected periods with no current report, oldest first, and each period's end. */
  missing: { start: Date; end: Date }[];
  lastReceivedAt: Date | null;
  /** The expected period that ended last, and whether it was received. */
  latest: { start: Date; end: Date; received: boolean } | null;
}

export interface AreaCompleteness extends CompletenessFigures {
  areaId: string;
  level: string;
  sites: number;
  sitesComplete: number;
}

export interface ReportingCompleteness extends CompletenessFigures {
  from: LocalDay;
  to: LocalDay;
  timeZone: string;
  graceMinutes: number;
  sites: SiteCompleteness[];
  areas: AreaCompleteness[];
  asOf: Date;
  asOfSeq: bigint;
}

export interface CompletenessQuery {
  from: string;
  to: string;
  within: string | null;
  kinds: readonly SiteKind[];
  graceMinutes: number;
}

type SiteRow = {
  row: 'site';
  kind: SiteKind;
  id: string;
  name: string;
  nameEn: string;
  areaId: string | null;
  level: string | null;
  expected: number;
  received: number;
  onTime: number;
  missingStarts: Date[] | null;
  missingEnds: Date[] | null;
  lastReceivedAt: Date | null;
  latestStart: Date | null;
  latestEnd: Date | null;
  sites: number;
  sitesComplete: number;
};

/**
 * Expected, received and on-time periods per site and per area (each area counts every site at any
 * depth below it, down from `within`), over the local days `from`..`to` (inclusive), up to `now`:
 * a period is expected once it has ended. A period is received when a current report (not a
 * superseded version) of the site overlaps it; it was received at the first version's arrival, so a
 * correction neither counts twice nor makes a period late; on time: by the period's end plus the
 * grace minutes. Days are local days of `timeZone`, built by PostgreSQL's time-zone rules, so a day
 * across a DST change has 23 or 25 hours.
 */
export async function computeCompleteness(prisma: PrismaClient, query: CompletenessQuery, timeZone: string, now: Date): Promise<ReportingCompleteness> {
  const from = localDay(query.from, timeZone);
  const to = localDay(query.to, timeZone);
  const withinPattern = query.within ? `%/${query.within.replace(/[\\%_]/g, (c) => `\\${c}`)}/%` : null;
  const opening = openingBounds(Prisma.sql`d.at`, Prisma.sql`s.opens`, Prisma.sql`s.closes`, timeZone);
  const [, seqRows, rows] = await prisma.$transaction(
    [
      // The planner cannot tell how many periods generate_series makes and guesses a thousand per
      // call; above its cost threshold PostgreSQL JIT-compiles the statement, which took 4 of the 4.6
      // seconds over 500 sites (bench/src/completeness). The statement is simple; interpreting it is fast.
      prisma.$executeRawUnsafe('SET LOCAL jit = off'),
      // asOfSeq: the outbox position every reader may have taken (prisma/src/outbox.ts).
      outboxPosition(prisma),
      prisma.$queryRaw<SiteRow[]>`
        WITH site AS (
          SELECT 'CHECKPOINT'::text AS kind, c.id, c.name, c."nameEn", c."areaId", c."reportIntervalMinutes" AS every,
            c."opensAtMinute" AS opens, c."closesAtMinute" AS closes, c."openedAt",
            -- A CLOSED checkpoint without a closing date takes no report at all (checkpoints/reporting.ts):
            -- none is expected either.
            CASE WHEN c.status = 'CLOSED' AND c."closedAt" IS NULL THEN '-infinity'::timestamptz ELSE c."closedAt" END AS "closedAt"
          FROM "Checkpoint" c
          UNION ALL
          SELECT 'PRODUCTION_LINE', l.id, l.name, l."nameEn", e."areaId", l."reportIntervalMinutes",
            l."opensAtMinute", l."closesAtMinute", l."openedAt", l."closedAt"
          FROM "ProductionLine" l JOIN "Enterprise" e ON e.id = l."enterpriseId"
        ), scoped AS MATERIALIZED (
          -- A number per site, so the joins and groupings below over every period compare integers
          -- (text keys are compared by collation, which cost seconds over 10,000 sites).
          SELECT (ROW_NUMBER() OVER ())::int AS sid, s.*, a.path FROM site s LEFT JOIN "Area" a ON a.id = s."areaId"
          WHERE s.kind = ANY(${textArray(query.kinds)})
            AND (${withinPattern}::text IS NULL OR a.path LIKE ${withinPattern}::text)
        ), schedule AS MATERIALIZED (
          -- The schedules each site had: the versions the database kept when its schedule changed
          -- (SiteScheduleVersion, each in force from the change before it until its validUntil), and
          -- the current one from the last change on. A period follows the schedule in force at its start.
          SELECT s.sid, h."reportIntervalMinutes" AS every, h."opensAtMinute" AS opens, h."closesAtMinute" AS closes, s."openedAt", s."closedAt",
            COALESCE(LAG(h."validUntil") OVER (PARTITION BY h."siteKind", h."siteId" ORDER BY h."validUntil"), '-infinity') AS valid_from, h."validUntil" AS valid_until
          FROM "SiteScheduleVersion" h JOIN scoped s ON s.kind = h."siteKind" AND s.id = h."siteId"
          UNION ALL
          SELECT s.sid, s.every, s.opens, s.closes, s."openedAt", s."closedAt", COALESCE(changed.at, '-infinity'), 'infinity'
          FROM scoped s
          LEFT JOIN (SELECT "siteKind", "siteId", MAX("validUntil") AS at FROM "SiteScheduleVersion" GROUP BY 1, 2) changed
            ON changed."siteKind" = s.kind AND changed."siteId" = s.id
        ), grid AS MATERIALIZED (
          -- The periods of each distinct schedule, generated once for every site that keeps it (most
          -- sites share one), over each local day's opening, the day before the range included: an
          -- opening past midnight puts its late periods in the next day (completeness/schedule.ts).
          SELECT o.every AS minutes, o.opens, o.closes, o.valid_from, o.valid_until, p.start, LEAST(p.start + o.every_interval, o.closes_at) AS "end",
            ${firstHour(Prisma.sql`p.start`)} AS first_hour, ${lastHour(Prisma.sql`LEAST(p.start + o.every_interval, o.closes_at)`)} AS last_hour
          FROM (
            SELECT s.*, make_interval(mins => s.every) AS every_interval, ${opening.opensAt} AS opens_at, ${opening.closesAt} AS closes_at
            FROM (SELECT DISTINCT every, opens, closes, valid_from, valid_until FROM schedule) s
            CROSS JOIN generate_series(${query.from}::date - 1, ${query.to}::date, interval '1 day') AS d(at)
          ) o
          CROSS JOIN LATERAL generate_series(o.opens_at, o.closes_at - interval '1 millisecond', o.every_interval) AS p(start)
          WHERE p.start >= ${instant(from.start)} AND p.start < ${instant(to.end)}
            AND p.start >= o.valid_from AND p.start < o.valid_until
            AND LEAST(p.start + o.every_interval, o.closes_at) <= ${instant(now)}
        ), period AS MATERIALIZED (
          -- Each site's share of its schedules' periods, between the dates it opened and closed.
          SELECT s.sid, g.start, g."end", g.first_hour, g.last_hour
          FROM schedule s
          JOIN grid g ON g.minutes = s.every AND COALESCE(g.opens, -1) = COALESCE(s.opens, -1) AND COALESCE(g.closes, -1) = COALESCE(s.closes, -1)
            AND g.valid_from = s.valid_from AND g.valid_until = s.valid_until
          WHERE (s."openedAt" IS NULL OR g.start >= s."openedAt")
            AND (s."closedAt" IS NULL OR g.start < s."closedAt")
        ), report AS MATERIALIZED (
          -- Every version (current or superseded) of the scoped sites' reports that can overlap the range.
          SELECT s.sid, r."periodStart", r."periodEnd", r."supersededAt", r."createdAt",
            ${firstHour(Prisma.sql`r."periodStart"`)} AS first_hour, ${lastHour(Prisma.sql`r."periodEnd"`)} AS last_hour
          FROM "CheckpointReport" r JOIN scoped s ON s.kind = 'CHECKPOINT' AND s.id = r."checkpointId"
          WHERE r."periodStart" > ${instant(new Date(from.start.getTime() - MAX_REPORT_HOURS * 3_600_000))} AND r."periodStart" < ${instant(to.end)}
            AND r."periodEnd" > ${instant(from.start)}
          UNION ALL
          SELECT s.sid, o."periodStart", o."periodEnd", o."supersededAt", o."createdAt",
            ${firstHour(Prisma.sql`o."periodStart"`)}, ${lastHour(Prisma.sql`o."periodEnd"`)}
          FROM "OutputReport" o JOIN scoped s ON s.kind = 'PRODUCTION_LINE' AND s.id = o."lineId"
          WHERE o."periodStart" > ${instant(new Date(from.start.getTime() - MAX_REPORT_HOURS * 3_600_000))} AND o."periodStart" < ${instant(to.end)}
            AND o."periodEnd" > ${instant(from.start)}
        ), period_hour AS (
          -- Periods and reports meet by site and by the hours (since the epoch) they touch, an equality
          -- a hash or merge join takes: joined by site alone, every period met every report of its
          -- site's days and the overlap test ran tens of millions of times. A pair that shares several
          -- hours meets several times; bool_or and MIN below do not mind. Most touch one hour, which
          -- needs no generate_series.
          SELECT p.sid, p.start, p."end", p.first_hour AS hour FROM period p WHERE p.first_hour = p.last_hour
          UNION ALL
          SELECT p.sid, p.start, p."end", h.hour FROM period p, generate_series(p.first_hour, p.last_hour) AS h(hour) WHERE p.first_hour < p.last_hour
        ), report_hour AS (
          SELECT r.*, r.first_hour AS hour FROM report r WHERE r.first_hour = r.last_hour
          UNION ALL
          SELECT r.*, h.hour FROM report r, generate_series(r.first_hour, r.last_hour) AS h(hour) WHERE r.first_hour < r.last_hour
        ), checked AS (
          SELECT p.sid, p.start, p."end",
            COALESCE(bool_or(r."supersededAt" IS NULL AND r.sid IS NOT NULL), false) AS received,
            MIN(r."createdAt") AS received_at
          FROM period_hour p
          LEFT JOIN report_hour r ON r.sid = p.sid AND r.hour = p.hour AND r."periodStart" < p."end" AND r."periodEnd" > p.start
          GROUP BY p.sid, p.start, p."end"
        ), figures AS (
          SELECT sid,
            COUNT(*)::int AS expected,
            COUNT(*) FILTER (WHERE received)::int AS received,
            COUNT(*) FILTER (WHERE received AND received_at <= "end" + ${`${query.graceMinutes} minutes`}::interval)::int AS "onTime",
            array_agg(start ORDER BY start) FILTER (WHERE NOT received) AS "missingStarts",
            array_agg("end" ORDER BY start) FILTER (WHERE NOT received) AS "missingEnds",
            MAX(received_at) FILTER (WHERE received) AS "lastReceivedAt",
            MAX(start) AS "latestStart", MAX("end") AS "latestEnd"
          FROM checked GROUP BY sid
        ), per_site AS MATERIALIZED (
          SELECT s.kind, s.id, s.name, s."nameEn", s."areaId", s.path, COALESCE(f.expected, 0) AS expected, COALESCE(f.received, 0) AS received,
            COALESCE(f."onTime", 0) AS "onTime", f."missingStarts", f."missingEnds", f."lastReceivedAt", f."latestStart", f."latestEnd"
          FROM scoped s LEFT JOIN figures f ON f.sid = s.sid
        ), per_area AS (
          -- Sites summed per area they are in first, so the roll-up to every area above compares paths
          -- of areas, not of sites.
          SELECT path, SUM(expected) AS expected, SUM(received) AS received, SUM("onTime") AS "onTime", MAX("lastReceivedAt") AS "lastReceivedAt",
            COUNT(*) AS sites, COUNT(*) FILTER (WHERE expected = received) AS "sitesComplete"
          FROM per_site WHERE path IS NOT NULL GROUP BY path
        )
        SELECT 'site' AS row, kind, id, name, "nameEn", "areaId", NULL::text AS level, expected, received, "onTime",
          "missingStarts", "missingEnds", "lastReceivedAt", "latestStart", "latestEnd", 1 AS sites, (expected = received)::int AS "sitesComplete"
        FROM per_site
        UNION ALL
        SELECT 'area', NULL, a.id, a.name, a."nameEn", a.id, a.level::text,
          SUM(ps.expected)::int, SUM(ps.received)::int, SUM(ps."onTime")::int, NULL, NULL, MAX(ps."lastReceivedAt"), NULL, NULL,
          SUM(ps.sites)::int, SUM(ps."sitesComplete")::int
        FROM per_area ps
        JOIN "Area" a ON ps.path LIKE a.path || '%'
        WHERE ${withinPattern}::text IS NULL OR a.path LIKE ${withinPattern}::text
        GROUP BY a.id, a.name, a."nameEn", a.level, a.path
        ORDER BY row DESC, kind, id`,
    ],
    // Prisma's own 5-second limit on a transaction would end a long one as if the database were
    // gone; the server's statement timeout (FANGKONG_STATEMENT_TIMEOUT_MS) is the limit that names it.
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, timeout: 120_000 },
  );
  const sites: SiteCompleteness[] = [];
  const areas: AreaCompleteness[] = [];
  for (const row of rows) {
    const figures = { expected: Number(row.expected), received: Number(row.received), receivedOnTime: Number(row.onTime) };
    if (row.row === 'site') {
      const ends = row.missingEnds ?? [];
      sites.push({
        kind: row.kind,
        siteId: row.id,
        name: row.name,
        nameEn: row.nameEn,
        areaId: row.areaId,
        ...figures,
        missing: (row.missingStarts ?? []).map((start, i) => ({ start: new Date(start), end: new Date(ends[i]!) })),
        lastReceivedAt: row.lastReceivedAt ? new Date(row.lastReceivedAt) : null,
        latest: row.latestStart
          ? {
              start: new Date(row.latestStart),
              end: new Date(row.latestEnd!),
              received: !(row.missingStarts ?? []).some((m) => new Date(m).getTime() === new Date(row.latestStart!).getTime()),
            }
          : null,
      });
    } else {
      areas.push({ areaId: row.id, level: row.level!, ...figures, sites: Number(row.sites), sitesComplete: Number(row.sitesComplete) });
    }
  }
  const total = (key: keyof CompletenessFigures) => sites.reduce((sum, s) => sum + s[key], 0);
  return {
    from,
    to,
    timeZone,
    graceMinutes: query.graceMinutes,
    expected: total('expected'),
    received: total('received'),
    receivedOnTime: total('receivedOnTime'),
    sites,
    areas,
    asOf: now,
    asOfSeq: seqRows[0]?.seq ?? 0n,
  };
}

/** A local day the database can hold the end of: 1900-01-01 to 9999-12-30 (the next midnight of 9999-12-31 is year 10000). */
export function checkDayArgument(day: string, argument: string): string {
  if (day < '1900-01-01' || day > '9999-12-30') throw invalidArgument(argument, 'must be a day from 1900-01-01 to 9999-12-30');
  return day;
}

/** The query's days and grace, checked: `day`, or `from`..`to` (local days, inclusive); today by default. */
export function completenessQuery(
  args: { day?: string | null; from?: string | null; to?: string | null; within?: { id: string } | null; kinds?: readonly SiteKind[] | null; graceMinutes?: number | null },
  today: string,
): CompletenessQuery {
  if (args.day && (args.from || args.to)) throw invalidArgument('day', 'give either day or from/to, not both');
  if (!args.day && !!args.from !== !!args.to) throw invalidArgument(args.from ? 'to' : 'from', 'from and to come together');
  const from = args.day ?? args.from ?? today;
  const to = args.day ?? args.to ?? today;
  checkDayArgument(from, args.day ? 'day' : 'from');
  checkDayArgument(to, args.day ? 'day' : 'to');
  if (to < from) throw invalidArgument('to', `must not be before from (${from})`);
  if (to > addDays(from, MAX_COMPLETENESS_DAYS - 1)) throw invalidArgument('to', `a completeness query covers at most ${MAX_COMPLETENESS_DAYS} days`);
  const graceMinutes = args.graceMinutes ?? DEFAULT_GRACE_MINUTES;
  if (!Number.isInteger(graceMinutes) || graceMinutes < 0 || graceMinutes > 24 * 60) throw invalidArgument('graceMinutes', 'must be a whole number of minutes from 0 to 1440');
  const kinds = args.kinds?.length ? [...new Set(args.kinds)] : [...SITE_KINDS];
  return { from, to, within: args.within?.id ?? null, kinds, graceMinutes };
}

// ───────────────────────────── GraphQL ─────────────────────────────

const percent = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 100);

/** The counts and percentages every completeness row carries. */
const CompletenessFiguresRef = builder.objectRef<CompletenessFigures>('CompletenessFigures').implement({
  description: 'Expected reporting periods against those received, and received on time.',
  fields: (t) => ({
    expected: t.exposeInt('expected', { description: 'Reporting periods expected (ended, within opening hours and the opened–closed dates).' }),
    received: t.exposeInt('received', { description: 'Expected periods covered by a current report (a corrected report counts once).' }),
    receivedOnTime: t.exposeInt('receivedOnTime', { description: 'Received periods whose first report arrived by the period end plus the grace minutes.' }),
    completeness: t.float({ nullable: true, description: 'received ÷ expected, in percent (2 decimals); null when nothing was expected.', resolve: (f) => percent(f.received, f.expected) }),
    onTime: t.float({ nullable: true, description: 'receivedOnTime ÷ expected, in percent (2 decimals); null when nothing was expected.', resolve: (f) => percent(f.receivedOnTime, f.expected) }),
  }),
});

const ReportingPeriodRef = builder.objectRef<{ start: Date; end: Date }>('ReportingPeriod').implement({
  description: 'One expected reporting period [start, end).',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start (inclusive).', resolve: (p) => p.start }),
    end: t.field({ type: 'DateTime', description: 'End (exclusive).', resolve: (p) => p.end }),
  }),
});

const LatestPeriodRef = builder.objectRef<{ start: Date; end: Date; received: boolean }>('LatestReportingPeriod').implement({
  description: "A site's expected period that ended last, and whether a report covers it (the wall's \"reported this hour\").",
  fields: (t) => ({
    start: t.field({ type: 'DateTime', description: 'Start (inclusive).', resolve: (p) => p.start }),
    end: t.field({ type: 'DateTime', description: 'End (exclusive).', resolve: (p) => p.end }),
    received: t.exposeBoolean('received', { description: 'A current report covers it.' }),
  }),
});

const pageSize = (first: number | null | undefined, fallback: number, max: number, name = 'first') => {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > max) throw invalidArgument(name, `must be 0 to ${max}`);
  return n;
};

const SiteCompletenessRef = builder.objectRef<SiteCompleteness>('SiteCompleteness').implement({
  description: "One site's reporting against its schedule over the queried days.",
  fields: (t) => ({
    kind: t.field({ type: SiteKindEnum, description: 'Checkpoint or production line.', resolve: (s) => s.kind }),
    slug: t.string({ description: 'The site\'s readable id ("fengshou-road", "yizhonghong-line-1").', resolve: (s) => s.siteId }),
    name: t.string({ description: 'Chinese name.', resolve: (s) => s.name }),
    nameEn: t.string({ description: 'English gloss.', resolve: (s) => s.nameEn }),
    area: t.field({
      type: AreaRef,
      nullable: true,
      description: 'The area the site is in (for a line, its enterprise\'s).',
      resolve: (s, _args, ctx) => (s.areaId ? loadArea(ctx, s.areaId) : null),
    }),
    figures: t.field({ type: CompletenessFiguresRef, description: 'Expected, received and on time.', resolve: (f) => f }),
    missingCount: t.int({ description: 'Expected periods with no current report.', resolve: (s) => s.missing.length }),
    missing: t.field({
      type: [ReportingPeriodRef],
      description: 'The expected periods with no current report, oldest first (the first `first` of them).',
      args: { first: t.arg.int({ required: false, defaultValue: 24, description: 'At most this many (default 24, at most 500).' }) },
      extensions: listSize((args) => Number(args.first ?? 24)),
      resolve: (s, args) => s.missing.slice(0, pageSize(args.first as number | null, 24, 500)),
    }),
    lastReceivedAt: t.field({ type: 'DateTime', nullable: true, description: 'When the latest received period of the range first arrived.', resolve: (s) => s.lastReceivedAt }),
    latest: t.field({
      type: LatestPeriodRef,
      nullable: true,
      description: 'The expected period of the range that ended last (null: none has ended yet), and whether it was received.',
      resolve: (s) => s.latest,
    }),
  }),
});

const AreaCompletenessRef = builder.objectRef<AreaCompleteness>('AreaCompleteness').implement({
  description: 'Reporting of every site in an area and below it, rolled up.',
  fields: (t) => ({
    area: t.field({ type: AreaRef, description: 'The area.', resolve: async (a, _args, ctx) => (await loadArea(ctx, a.areaId))! }),
    level: t.field({ type: AreaLevel, description: 'Its level in the tree.', resolve: (a) => a.level as never }),
    sites: t.int({ description: 'Sites in it that report on a schedule (of the queried kinds).', resolve: (a) => a.sites }),
    sitesComplete: t.int({ description: 'Of them, those with every expected period received.', resolve: (a) => a.sitesComplete }),
    figures: t.field({ type: CompletenessFiguresRef, description: 'Expected, received and on time.', resolve: (f) => f }),
  }),
});

export const ReportingCompletenessRef = builder.objectRef<ReportingCompleteness>('ReportingCompleteness').implement({
  description: 'Who has reported: expected reporting periods against the reports received, per site and per area, over local days.',
  fields: (t) => ({
    from: t.field({ type: 'Date', description: 'First local day.', resolve: (c) => c.from.day }),
    to: t.field({ type: 'Date', description: 'Last local day (inclusive).', resolve: (c) => c.to.day }),
    timeZone: t.string({ description: 'The time zone the days are read in.', resolve: (c) => c.timeZone }),
    graceMinutes: t.int({ description: 'Minutes after a period ends that its report still counts as on time.', resolve: (c) => c.graceMinutes }),
    figures: t.field({ type: CompletenessFiguresRef, description: 'Expected, received and on time.', resolve: (f) => f }),
    siteCount: t.int({ description: 'Sites counted (before `sites` picks some).', resolve: (c) => c.sites.length }),
    sites: t.field({
      type: [SiteCompletenessRef],
      description: 'Sites, least complete first (then by kind and id): the first `first`, optionally only those missing periods.',
      args: {
        first: t.arg.int({ required: false, defaultValue: 50, description: 'At most this many (default 50, at most 500).' }),
        incompleteOnly: t.arg.boolean({ required: false, defaultValue: false, description: 'Only sites with a missing period.' }),
      },
      extensions: listSize((args) => Number(args.first ?? 50)),
      resolve: (c, args) => {
        const first = pageSize(args.first as number | null, 50, 500);
        const order = (s: SiteCompleteness) => (s.expected === 0 ? 2 : s.received / s.expected);
        return c.sites
          .filter((s) => !args.incompleteOnly || s.missing.length > 0)
          .sort((a, b) => order(a) - order(b) || a.kind.localeCompare(b.kind) || a.siteId.localeCompare(b.siteId))
          .slice(0, first);
      },
    }),
    areas: t.field({
      type: [AreaCompletenessRef],
      description: 'Every area holding counted sites (each with all sites below it), by path; optionally one level only.',
      args: {
        level: t.arg({ type: AreaLevel, required: false, description: 'Only areas of this level.' }),
        first: t.arg.int({ required: false, defaultValue: 50, description: 'At most this many (default 50, at most 500).' }),
      },
      extensions: listSize((args) => Number(args.first ?? 50)),
      resolve: (c, args) => c.areas.filter((a) => !args.level || a.level === args.level).slice(0, pageSize(args.first as number | null, 50, 500)),
    }),
    asOf: t.field({ type: 'DateTime', description: 'When the figures were read; periods ending later are not expected yet.', resolve: (c) => c.asOf }),
    asOfSeq: t.field({ type: 'Seq', description: 'The last outbox event the figures include.', resolve: (c) => c.asOfSeq }),
  }),
});

export const completenessArgs = {
  within: { description: 'Only sites in this area or below it.' },
  kinds: { description: 'Only these kinds of site (default both).' },
  graceMinutes: { description: `Minutes after a period ends that a report is still on time (default ${DEFAULT_GRACE_MINUTES}).` },
} as const;

builder.queryFields((t) => ({
  reportingCompleteness: t.field({
    authScopes: { aggregates: true },
    type: ReportingCompletenessRef,
    description: 'Which sites reported what they were expected to, and on time, over local days: today by default, one `day`, or `from`..`to` (at most 31 days).',
    args: {
      day: t.arg({ type: 'Date', required: false, description: 'One local day.' }),
      from: t.arg({ type: 'Date', required: false, description: 'First local day of a range.' }),
      to: t.arg({ type: 'Date', required: false, description: 'Last local day of a range (inclusive).' }),
      within: t.arg.globalID({ for: AreaRef, required: false, description: completenessArgs.within.description }),
      kinds: t.arg({ type: [SiteKindEnum], required: false, description: completenessArgs.kinds.description }),
      graceMinutes: t.arg.int({ required: false, description: completenessArgs.graceMinutes.description }),
    },
    resolve: (_root, args, ctx) => {
      const now = ctx.now();
      const query = completenessQuery({ ...args, within: args.within ? { id: String(args.within.id) } : null }, localDate(now, ctx.timeZone));
      return computeCompleteness(ctx.prisma, query, ctx.timeZone, now);
    },
  }),
}));
