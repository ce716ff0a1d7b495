import { outboxPosition, Prisma, type PrismaClient } from '@fangkong/prisma';
import { addDays, localDate, localDay, type LocalDay } from '@fangkong/zone';
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
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
/** The most sites one `sites` field returns; missing periods are listed for the least complete this many. */
export const MAX_LISTED_SITES = 500;

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
  /** Expected periods with no current report (expected − received). */
  missingCount: number;
  /**
   * Those periods, oldest first, for the sites the `sites` field can return (the least complete
   * MAX_LISTED_SITES places) when they were asked for; null where they were not listed.
   */
  missing: { start: Date; end: Date }[] | null;
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
  /** Sites counted. */
  siteCount: number;
  /** Every site counted, or (without CompletenessOptions.allSites) those the `sites` field can return. */
  sites: SiteCompleteness[];
  areas: AreaCompleteness[];
  asOf: Date;
  asOfSeq: bigint;
}

export interface CompletenessOptions {
  /** List the missing periods of the least complete sites (the `sites` field's `missing`). @default true */
  listMissing?: boolean;
  /**
   * Every site's row; without it only those the `sites` field can return (the least complete
   * MAX_LISTED_SITES places, ties included), the totals coming from the database. @default true
   */
  allSites?: boolean;
}

export interface CompletenessQuery {
  from: string;
  to: string;
  within: string | null;
  kinds: readonly SiteKind[];
  graceMinutes: number;
}

type SiteRow = {
  row: 'site' | 'area' | 'total';
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
  latestReceived: boolean | null;
  sites: number;
  sitesComplete: number;
};

/**
 * How the completeness statement is planned (set for its transaction only):
 * - jit: the planner cannot tell how many periods generate_series makes and guesses a thousand per
 *   call; above its cost threshold PostgreSQL JIT-compiled the statement, which took 4 of 4.6 seconds
 *   over 500 sites. The statement is simple; interpreting it is fast.
 * - work_mem: its hash tables (a row per reported period) spilled to disk at the default 4 MB.
 * - enable_mergejoin, enable_nestloop: every join is an equality between sets the planner cannot size
 *   (generated periods, CTEs); guessing them small, it sorted both sides for a merge join (text keys
 *   among them) or ran a nested loop over thousands of rows on each side (over 5 s for 620 sites in
 *   completeness.test), where a hash join reads each side once. The joins that can only be nested
 *   loops (a generate_series per row, areas by path prefix) stay so.
 */
export const COMPLETENESS_SETTINGS = { jit: 'off', work_mem: '64MB', enable_mergejoin: 'off', enable_nestloop: 'off' } as const;

/**
 * Expected, received and on-time periods per site and per area (each area counts every site at any
 * depth below it, down from `within`), over the local days `from`..`to` (inclusive), up to `now`:
 * a period is expected once it has ended. A period is received when a current report (not a
 * superseded version) of the site overlaps it; it was received at the first version's arrival, so a
 * correction neither counts twice nor makes a period late; on time: by the period's end plus the
 * grace minutes. Days are local days of `timeZone`, built by PostgreSQL's time-zone rules, so a day
 * across a DST change has 23 or 25 hours.
 */
export async function computeCompleteness(
  prisma: PrismaClient,
  query: CompletenessQuery,
  timeZone: string,
  now: Date,
  options: CompletenessOptions = {},
): Promise<ReportingCompleteness> {
  const from = localDay(query.from, timeZone);
  const to = localDay(query.to, timeZone);
  const [, seqRows, rows] = await prisma.$transaction(
    [
      // The statement's planner settings, for this transaction only (set_config's is_local), in one
      // round trip (COMPLETENESS_SETTINGS says why each).
      prisma.$executeRawUnsafe(`SELECT ${Object.entries(COMPLETENESS_SETTINGS).map(([name, value]) => `set_config('${name}', '${value}', true)`).join(', ')}`),
      // asOfSeq: the outbox position every reader may have taken (prisma/src/outbox.ts).
      outboxPosition(prisma),
      prisma.$queryRaw<SiteRow[]>(completenessStatement(query, timeZone, now, options)),
    ],
    // Prisma's own 5-second limit on a transaction would end a long one as if the database were
    // gone; the server's statement timeout (FANGKONG_STATEMENT_TIMEOUT_MS) is the limit that names it.
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead, timeout: 120_000 },
  );
  const sites: SiteCompleteness[] = [];
  const areas: AreaCompleteness[] = [];
  let total: CompletenessFigures & { siteCount: number } = { expected: 0, received: 0, receivedOnTime: 0, siteCount: 0 };
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
        missingCount: figures.expected - figures.received,
        missing:
          figures.expected === figures.received ? [] : row.missingStarts ? row.missingStarts.map((start, i) => ({ start: new Date(start), end: new Date(ends[i]!) })) : null,
        lastReceivedAt: row.lastReceivedAt ? new Date(row.lastReceivedAt) : null,
        latest: row.latestStart ? { start: new Date(row.latestStart), end: new Date(row.latestEnd!), received: row.latestReceived === true } : null,
      });
    } else if (row.row === 'total') {
      total = { ...figures, siteCount: Number(row.sites) };
    } else {
      areas.push({ areaId: row.id, level: row.level!, ...figures, sites: Number(row.sites), sitesComplete: Number(row.sitesComplete) });
    }
  }
  return {
    from,
    to,
    timeZone,
    graceMinutes: query.graceMinutes,
    ...total,
    sites,
    areas,
    asOf: now,
    asOfSeq: seqRows[0]?.seq ?? 0n,
  };
}

/**
 * The one statement of computeCompleteness. Its cost follows the reports of the range, not sites ×
 * periods: the periods of each distinct schedule are generated once (most sites share one); each
 * report version (read by one range scan of the days) meets its site's schedule's periods by the
 * hours they share, so only periods something was reported for become rows; a site's expected count
 * comes from its schedule's count (or, for a site that opened or closed within the range, from its
 * own share of the periods); missing periods are listed only for the sites `sites` can return (the
 * least complete, up to MAX_LISTED_SITES), and not at all without `listMissing`.
 */
export function completenessStatement(query: CompletenessQuery, timeZone: string, now: Date, { listMissing = true, allSites = true }: CompletenessOptions = {}): Prisma.Sql {
  const from = localDay(query.from, timeZone);
  const to = localDay(query.to, timeZone);
  const withinPattern = query.within ? `%/${query.within.replace(/[\\%_]/g, (c) => `\\${c}`)}/%` : null;
  const opening = openingBounds(Prisma.sql`d.at`, Prisma.sql`s.opens`, Prisma.sql`s.closes`, timeZone);
  const lookBack = instant(new Date(from.start.getTime() - MAX_REPORT_HOURS * 3_600_000));
  // A period belongs to a site between the dates it opened and closed.
  const open = (s: Prisma.Sql, start: Prisma.Sql) =>
    Prisma.sql`(${s}."openedAt" IS NULL OR ${start} >= ${s}."openedAt") AND (${s}."closedAt" IS NULL OR ${start} < ${s}."closedAt")`;
  return Prisma.sql`
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
          -- A number per site, so the joins and groupings below compare integers (text keys are
          -- compared by collation, which cost seconds over 10,000 sites).
          SELECT (ROW_NUMBER() OVER ())::int AS sid, s.*, a.path FROM site s LEFT JOIN "Area" a ON a.id = s."areaId"
          WHERE s.kind = ANY(${textArray(query.kinds)})
            AND (${withinPattern}::text IS NULL OR a.path LIKE ${withinPattern}::text)
        ), version AS (
          -- The schedules each site had: the versions the database kept when its schedule changed
          -- (SiteScheduleVersion, each in force from the change before it until its validUntil), and
          -- the current one from the last change on. A period follows the schedule in force at its start.
          SELECT s.sid, s.id, s.kind, h."reportIntervalMinutes" AS every, h."opensAtMinute" AS opens, h."closesAtMinute" AS closes, s."openedAt", s."closedAt",
            COALESCE(LAG(h."validUntil") OVER (PARTITION BY h."siteKind", h."siteId" ORDER BY h."validUntil"), '-infinity') AS valid_from, h."validUntil" AS valid_until
          FROM "SiteScheduleVersion" h JOIN scoped s ON s.kind = h."siteKind" AND s.id = h."siteId"
          UNION ALL
          SELECT s.sid, s.id, s.kind, s.every, s.opens, s.closes, s."openedAt", s."closedAt", COALESCE(changed.at, '-infinity'), 'infinity'
          FROM scoped s
          LEFT JOIN (SELECT "siteKind", "siteId", MAX("validUntil") AS at FROM "SiteScheduleVersion" GROUP BY 1, 2) changed
            ON changed."siteKind" = s.kind AND changed."siteId" = s.id
        ), schedule AS MATERIALIZED (
          -- Each distinct schedule numbered (k): most sites share one.
          -- The site's id per kind, so a report meets its site by one equality (a filter on the kind would
          -- be guessed to keep 0.5 % of the sites, and the planner would probe the reports once per site).
          SELECT v.*, (dense_rank() OVER (ORDER BY every, opens, closes, valid_from, valid_until))::int AS k,
            CASE WHEN kind = 'CHECKPOINT' THEN id END AS checkpoint_id, CASE WHEN kind = 'PRODUCTION_LINE' THEN id END AS line_id
          FROM version v
        ), shape AS MATERIALIZED (
          SELECT DISTINCT k, every, opens, closes, valid_from, valid_until FROM schedule
        ), grid AS MATERIALIZED (
          -- The periods of each schedule over each local day's opening, the day before the range
          -- included: an opening past midnight puts its late periods in the next day (completeness/schedule.ts).
          SELECT (ROW_NUMBER() OVER ())::int AS gid, o.k, p.start, LEAST(p.start + o.every_interval, o.closes_at) AS "end",
            ${firstHour(Prisma.sql`p.start`)} AS first_hour, ${lastHour(Prisma.sql`LEAST(p.start + o.every_interval, o.closes_at)`)} AS last_hour
          FROM (
            SELECT s.*, make_interval(mins => s.every) AS every_interval, ${opening.opensAt} AS opens_at, ${opening.closesAt} AS closes_at
            FROM shape s CROSS JOIN generate_series(${query.from}::date - 1, ${query.to}::date, interval '1 day') AS d(at)
          ) o
          CROSS JOIN LATERAL generate_series(o.opens_at, o.closes_at - interval '1 millisecond', o.every_interval) AS p(start)
          WHERE p.start >= ${instant(from.start)} AND p.start < ${instant(to.end)}
            AND p.start >= o.valid_from AND p.start < o.valid_until
            AND LEAST(p.start + o.every_interval, o.closes_at) <= ${instant(now)}
        ), grid_hour AS MATERIALIZED (
          -- A period lasts at most a day's opening (25 hours on a DST day): a constant series the planner
          -- can count, so it hashes these few rows and not the reports (it guesses 1,000 rows a call of any other).
          SELECT g.gid, g.k, g.start, g."end", g.first_hour, g.first_hour + h.i AS hour FROM grid g, generate_series(0, 26) AS h(i) WHERE h.i <= g.last_hour - g.first_hour
        ), shape_span AS MATERIALIZED (
          SELECT k, COUNT(*)::int AS n, MIN(start) AS first_start, MAX(start) AS last_start, (array_agg("end" ORDER BY start DESC))[1] AS last_end
          FROM grid GROUP BY k
        ), schedule_span AS MATERIALIZED (
          -- Whether a site was open through all of its schedule's periods of the range.
          SELECT s.sid, s.k, s."openedAt", s."closedAt", sp.n, sp.last_start, sp.last_end,
            (s."openedAt" IS NULL OR s."openedAt" <= sp.first_start) AND (s."closedAt" IS NULL OR s."closedAt" > sp.last_start) AS throughout
          FROM schedule s JOIN shape_span sp ON sp.k = s.k
        ), expected AS MATERIALIZED (
          -- Periods expected per site, and the one that ended last: a schedule's whole count for a site
          -- open through all of its periods; its own share for one that opened or closed among them.
          SELECT sid, SUM(n)::int AS expected, MAX(last_start) AS latest_start, (array_agg(last_end ORDER BY last_start DESC))[1] AS latest_end
          FROM (
            SELECT sid, n, last_start, last_end FROM schedule_span WHERE throughout
            UNION ALL
            SELECT s.sid, COUNT(*)::int, MAX(g.start), (array_agg(g."end" ORDER BY g.start DESC))[1]
            FROM (SELECT * FROM schedule_span WHERE NOT throughout) s JOIN grid g ON g.k = s.k
            WHERE ${open(Prisma.sql`s`, Prisma.sql`g.start`)}
            GROUP BY s.sid, s.k
          ) part
          GROUP BY sid
        ), report_hour AS (
          -- Every version (current or superseded) of the scoped sites' reports that can overlap the
          -- range, by one range scan of the days, with its site's number and schedules (one each, but
          -- for a site whose schedule changed), once for every hour (since the epoch) it touches:
          -- reports meet periods by schedule and hour, an equality a hash join takes. A pair sharing
          -- several hours meets several times; bool_or and MIN below do not mind.
          SELECT s.sid, s.k, s."openedAt", s."closedAt", r."periodStart", r."periodEnd", r."supersededAt" IS NULL AS current,
            r."supersededAt" IS NULL AND NOT r."predatesOverlapRule" AS ruled, r."createdAt",
            generate_series(${firstHour(Prisma.sql`r."periodStart"`)}, ${lastHour(Prisma.sql`r."periodEnd"`)}) AS hour
          FROM "CheckpointReport" r JOIN schedule s ON s.checkpoint_id = r."checkpointId"
          WHERE r."periodStart" > ${lookBack} AND r."periodStart" < ${instant(to.end)} AND r."periodEnd" > ${instant(from.start)}
          UNION ALL
          SELECT s.sid, s.k, s."openedAt", s."closedAt", o."periodStart", o."periodEnd", o."supersededAt" IS NULL,
            o."supersededAt" IS NULL AND NOT o."predatesOverlapRule", o."createdAt",
            generate_series(${firstHour(Prisma.sql`o."periodStart"`)}, ${lastHour(Prisma.sql`o."periodEnd"`)})
          FROM "OutputReport" o JOIN schedule s ON s.line_id = o."lineId"
          WHERE o."periodStart" > ${lookBack} AND o."periodStart" < ${instant(to.end)} AND o."periodEnd" > ${instant(from.start)}
        ), met AS MATERIALIZED (
          -- Each version with each expected period it overlaps. Most are "plain": a current version
          -- under the overlap rule (no other such version of the site overlaps it: an exclusion
          -- constraint) covering exactly one period, met once (at the period's first hour).
          SELECT r.sid, g.gid, g.start, g."end", r.current, r."createdAt",
            r.ruled AND r."periodStart" = g.start AND r."periodEnd" = g."end" AND r.hour = g.first_hour AS plain
          FROM report_hour r
          JOIN grid_hour g ON g.k = r.k AND g.hour = r.hour AND r."periodStart" < g."end" AND r."periodEnd" > g.start
          WHERE ${open(Prisma.sql`r`, Prisma.sql`g.start`)}
        ), plain AS (
          -- Per site straight from the meetings, when all of its are plain: each is one received period,
          -- received when that version arrived.
          SELECT sid, bool_and(plain) AS all_plain,
            COUNT(*)::int AS received,
            COUNT(*) FILTER (WHERE "createdAt" <= "end" + ${`${query.graceMinutes} minutes`}::interval)::int AS "onTime",
            MAX("createdAt") AS "lastReceivedAt", MAX(start) AS latest_received
          FROM met GROUP BY sid
        ), got AS MATERIALIZED (
          -- The other sites (a correction, a partial or duplicate report) period by period: received
          -- when a current version overlaps it, at the first version's arrival (a correction neither
          -- counts twice nor makes a period late).
          SELECT m.sid, m.gid, MIN(m.start) AS start, bool_or(m.current) AS received, MIN(m."createdAt") AS received_at,
            MIN(m."createdAt") <= MIN(m."end") + ${`${query.graceMinutes} minutes`}::interval AS on_time
          FROM met m JOIN plain p ON p.sid = m.sid AND NOT p.all_plain
          GROUP BY m.sid, m.gid
        ), site_got AS (
          SELECT sid, received, "onTime", "lastReceivedAt", latest_received FROM plain WHERE all_plain
          UNION ALL
          SELECT sid,
            COUNT(*) FILTER (WHERE received)::int,
            COUNT(*) FILTER (WHERE received AND on_time)::int,
            MAX(received_at) FILTER (WHERE received),
            MAX(start) FILTER (WHERE received)
          FROM got GROUP BY sid
        ), per_site AS MATERIALIZED (
          SELECT s.sid, s.kind, s.id, s.name, s."nameEn", s."areaId", s.path, COALESCE(e.expected, 0) AS expected, COALESCE(g.received, 0) AS received,
            COALESCE(g."onTime", 0) AS "onTime", g."lastReceivedAt", e.latest_start AS "latestStart", e.latest_end AS "latestEnd",
            COALESCE(g.latest_received = e.latest_start, false) AS "latestReceived",
            -- The order of the sites field (least complete first; nothing expected last): ties share a place.
            rank() OVER (ORDER BY CASE WHEN COALESCE(e.expected, 0) = 0 THEN 2 ELSE COALESCE(g.received, 0)::float8 / e.expected END) AS place
          FROM scoped s LEFT JOIN expected e ON e.sid = s.sid LEFT JOIN site_got g ON g.sid = s.sid
        ), listed AS MATERIALIZED (
          -- The sites the sites field can return, with their schedules: at most MAX_LISTED_SITES places
          -- from the least complete (ties share a place, so all of a tie are in), those missing a period.
          SELECT s.sid, s.k, s."openedAt", s."closedAt"
          FROM per_site p JOIN schedule s ON s.sid = p.sid
          WHERE p.received < p.expected AND p.place <= ${listMissing ? MAX_LISTED_SITES : 0}::int
        ), listed_got AS MATERIALIZED (
          SELECT DISTINCT m.sid, m.gid FROM met m JOIN (SELECT DISTINCT sid FROM listed) l ON l.sid = m.sid WHERE m.current
        ), missing AS (
          SELECT l.sid, array_agg(g.start ORDER BY g.start) AS starts, array_agg(g."end" ORDER BY g.start) AS ends
          FROM listed l JOIN grid g ON g.k = l.k
          WHERE ${open(Prisma.sql`l`, Prisma.sql`g.start`)}
            AND NOT EXISTS (SELECT 1 FROM listed_got x WHERE x.sid = l.sid AND x.gid = g.gid)
          GROUP BY l.sid
        ), per_area AS (
          -- Sites summed per area they are in first, so the roll-up to every area above compares paths
          -- of areas, not of sites.
          SELECT path, SUM(expected) AS expected, SUM(received) AS received, SUM("onTime") AS "onTime", MAX("lastReceivedAt") AS "lastReceivedAt",
            COUNT(*) AS sites, COUNT(*) FILTER (WHERE expected = received) AS "sitesComplete"
          FROM per_site WHERE path IS NOT NULL GROUP BY path
        )
        SELECT 'site' AS row, p.kind, p.id, p.name, p."nameEn", p."areaId", NULL::text AS level, p.expected, p.received, p."onTime",
          m.starts AS "missingStarts", m.ends AS "missingEnds", p."lastReceivedAt", p."latestStart", p."latestEnd", p."latestReceived",
          1 AS sites, (p.expected = p.received)::int AS "sitesComplete"
        FROM per_site p LEFT JOIN missing m ON m.sid = p.sid
        WHERE ${allSites}::boolean OR p.place <= ${MAX_LISTED_SITES}::int
        UNION ALL
        SELECT 'total', NULL, NULL, NULL, NULL, NULL, NULL, COALESCE(SUM(expected), 0)::int, COALESCE(SUM(received), 0)::int, COALESCE(SUM("onTime"), 0)::int,
          NULL, NULL, MAX("lastReceivedAt"), NULL, NULL, NULL, COUNT(*)::int, (COUNT(*) FILTER (WHERE expected = received))::int
        FROM per_site
        UNION ALL
        SELECT 'area', NULL, a.id, a.name, a."nameEn", a.id, a.level::text,
          SUM(ps.expected)::int, SUM(ps.received)::int, SUM(ps."onTime")::int, NULL, NULL, MAX(ps."lastReceivedAt"), NULL, NULL, NULL,
          SUM(ps.sites)::int, SUM(ps."sitesComplete")::int
        FROM per_area ps
        JOIN "Area" a ON ps.path LIKE a.path || '%'
        WHERE ${withinPattern}::text IS NULL OR a.path LIKE ${withinPattern}::text
        GROUP BY a.id, a.name, a."nameEn", a.level, a.path
        ORDER BY row DESC, kind, id`;
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

/**
 * The first `first` sites, least complete first (nothing expected last), then by kind and id. Sorted
 * only as far as needed: the sites sharing the completeness at place `first`, and those before it.
 */
export function leastComplete(sites: readonly SiteCompleteness[], first: number, incompleteOnly: boolean): SiteCompleteness[] {
  const share = (s: SiteCompleteness) => (s.expected === 0 ? 2 : s.received / s.expected);
  const candidates = incompleteOnly ? sites.filter((s) => s.missingCount > 0) : sites;
  if (first === 0 || candidates.length === 0) return [];
  const shares = candidates.map(share).sort((a, b) => a - b);
  const limit = shares[Math.min(first, shares.length) - 1]!;
  const byId = (a: SiteCompleteness, b: SiteCompleteness) => a.kind.localeCompare(b.kind) || a.siteId.localeCompare(b.siteId);
  return candidates
    .filter((s) => share(s) <= limit)
    .sort((a, b) => share(a) - share(b) || byId(a, b))
    .slice(0, first);
}

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
    missingCount: t.int({ description: 'Expected periods with no current report.', resolve: (s) => s.missingCount }),
    missing: t.field({
      type: [ReportingPeriodRef],
      description: 'The expected periods with no current report, oldest first (the first `first` of them).',
      args: { first: t.arg.int({ required: false, defaultValue: 24, description: 'At most this many (default 24, at most 500).' }) },
      extensions: listSize((args) => Number(args.first ?? 24)),
      resolve: (s, args) => {
        // Listed for every site the sites field can return (completenessStatement): never null here.
        if (!s.missing) throw new Error(`missing periods of ${s.siteId} were not listed`);
        return s.missing.slice(0, pageSize(args.first as number | null, 24, 500));
      },
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
    siteCount: t.int({ description: 'Sites counted (before `sites` picks some).', resolve: (c) => c.siteCount }),
    sites: t.field({
      type: [SiteCompletenessRef],
      description: 'Sites, least complete first (then by kind and id): the first `first`, optionally only those missing periods.',
      args: {
        first: t.arg.int({ required: false, defaultValue: 50, description: `At most this many (default 50, at most ${MAX_LISTED_SITES}).` }),
        incompleteOnly: t.arg.boolean({ required: false, defaultValue: false, description: 'Only sites with a missing period.' }),
      },
      extensions: listSize((args) => Number(args.first ?? 50)),
      resolve: (c, args) => leastComplete(c.sites, pageSize(args.first as number | null, 50, MAX_LISTED_SITES), args.incompleteOnly === true),
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

/** Whether the operation asks for the fields `path` below the field being resolved (through fragments too). */
export function selects(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  const walk = (set: SelectionSetNode | undefined, depth: number): boolean =>
    !!set &&
    set.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === path[depth] && (depth === path.length - 1 || walk(selection.selectionSet, depth + 1));
      if (selection.kind === Kind.INLINE_FRAGMENT) return walk(selection.selectionSet, depth);
      return walk(info.fragments[selection.name.value]?.selectionSet, depth);
    });
  return info.fieldNodes.some((node) => walk(node.selectionSet, 0));
}

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
    resolve: (_root, args, ctx, info) => {
      const now = ctx.now();
      const query = completenessQuery({ ...args, within: args.within ? { id: String(args.within.id) } : null }, localDate(now, ctx.timeZone));
      return computeCompleteness(ctx.prisma, query, ctx.timeZone, now, { listMissing: selects(info, ['sites', 'missing']), allSites: false });
    },
  }),
}));
