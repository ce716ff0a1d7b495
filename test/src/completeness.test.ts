// Who has reported: reportingCompleteness against expectations the test computes itself from the
// sites and reports it inserted (expected periods from each schedule, received = a current report
// overlaps the period, on time = first version's arrival by period end + grace), zero-filled missing
// periods, corrections counted once, area roll-ups equal to the sums of their sites at every level,
// local days across DST in a zone that has it, and the live subscription moving with a report.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseForSuite, pgliteDatabase, postgresDatabase, type CliDatabase, type Sql } from './support/cli.ts';
import { pinnedClock, shanghaiDay } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { collect, wsClient } from './support/live.ts';
import { postgresReachable } from './support/postgres.ts';
import { REPORT_CHECKPOINT } from './support/reporting.ts';
import { graphql, startServer, type RunningServer } from './support/server.ts';
import { graphiqlDefaultQuery } from '../../server/src/graphiql.ts';

const HOUR = 3_600_000;
const MIN = 60_000;
const DAY = 24 * HOUR;
const GRACE_MIN = 30;

const COMPLETENESS = `query($day: Date, $from: Date, $to: Date, $within: ID, $kinds: [SiteKind!], $grace: Int) {
  reportingCompleteness(day: $day, from: $from, to: $to, within: $within, kinds: $kinds, graceMinutes: $grace) {
    from to timeZone graceMinutes siteCount asOfSeq basis
    figures { expected received receivedOnTime completeness onTime }
    sites(first: 20) { kind slug area { slug } missingCount missing(first: 30) { start end }
      figures { expected received receivedOnTime completeness onTime } }
    areas(first: 20) { area { slug } level sites sitesComplete figures { expected received receivedOnTime } }
  }
}`;

interface Site {
  kind: 'CHECKPOINT' | 'PRODUCTION_LINE';
  id: string;
  areaId: string;
  every: number;
  opens: number | null;
  closes: number | null;
  openedAt: number | null;
  closedAt: number | null;
}

interface Report {
  site: string;
  start: number;
  end: number;
  createdAt: number;
  superseded: boolean;
  supersedes?: string;
  id: string;
}

/** The test's own reading of a schedule: the periods of `day` (Asia/Shanghai, +8 h all year) that have ended by `now`. */
function expectedPeriods(site: Site, day: string, now: number, offsetHours = 8): { start: number; end: number }[] {
  const midnight = (d: number) => Date.parse(`${day}T00:00:00Z`) - offsetHours * HOUR + d * DAY;
  const dayStart = midnight(0);
  const dayEnd = midnight(1);
  const out: { start: number; end: number }[] = [];
  for (const d of [-1, 0]) {
    const opens = midnight(d) + (site.opens ?? 0) * MIN;
    const closes = midnight(d) + (site.closes ?? 0) * MIN + (site.opens === null || site.closes! <= site.opens ? DAY : 0);
    for (let start = opens; start < closes; start += site.every * MIN) {
      const end = Math.min(start + site.every * MIN, closes);
      if (start < dayStart || start >= dayEnd) continue;
      if (site.openedAt !== null && start < site.openedAt) continue;
      if (site.closedAt !== null && start >= site.closedAt) continue;
      if (end > now) continue;
      out.push({ start, end });
    }
  }
  return out;
}

/** Expected, received and on-time figures of one site on one day, from the inserted reports alone. */
function tally(site: Site, day: string, now: number, reports: Report[], grace = GRACE_MIN) {
  let received = 0;
  let onTime = 0;
  const missing: { start: string; end: string }[] = [];
  const periods = expectedPeriods(site, day, now);
  for (const p of periods) {
    const overlapping = reports.filter((r) => r.site === site.id && r.start < p.end && r.end > p.start);
    if (overlapping.some((r) => !r.superseded)) {
      received++;
      const first = Math.min(...overlapping.map((r) => r.createdAt));
      if (first <= p.end + grace * MIN) onTime++;
    } else missing.push({ start: new Date(p.start).toISOString(), end: new Date(p.end).toISOString() });
  }
  return { expected: periods.length, received, receivedOnTime: onTime, missing };
}

const areas = [
  { id: 'cmp-district', level: 'DISTRICT', parent: null, path: '/cmp-district/' },
  { id: 'cmp-town', level: 'TOWNSHIP', parent: 'cmp-district', path: '/cmp-district/cmp-town/' },
  { id: 'cmp-comm-a', level: 'COMMUNITY', parent: 'cmp-town', path: '/cmp-district/cmp-town/cmp-comm-a/' },
  { id: 'cmp-compound-a1', level: 'COMPOUND', parent: 'cmp-comm-a', path: '/cmp-district/cmp-town/cmp-comm-a/cmp-compound-a1/' },
  { id: 'cmp-comm-b', level: 'COMMUNITY', parent: 'cmp-town', path: '/cmp-district/cmp-town/cmp-comm-b/' },
] as const;

const lit = (v: number | string | null | boolean) =>
  v === null ? 'NULL' : typeof v === 'number' ? String(v) : typeof v === 'boolean' ? String(v) : `'${v.replace(/'/g, "''")}'`;
const ts = (ms: number | null) => (ms === null ? 'NULL' : `'${new Date(ms).toISOString()}'::timestamptz`);

async function insertSites(sql: Sql, sites: Site[]) {
  for (const a of areas) {
    await sql(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path) VALUES (${lit(a.id)}, ${lit(a.id)}, ${lit(a.id)}, '${a.level}', ${lit(a.parent)}, ${lit(a.path)})`);
  }
  await sql(`INSERT INTO "Enterprise" (id, name, "nameEn", sector, "areaId") VALUES ('cmp-maker', 'cmp-maker', 'cmp-maker', 'SANITARY_MATERIALS', 'cmp-comm-a')`);
  for (const s of sites) {
    if (s.kind === 'CHECKPOINT') {
      await sql(`INSERT INTO "Checkpoint" (id, name, "nameEn", kind, "areaId", "reportIntervalMinutes", "opensAtMinute", "closesAtMinute", "openedAt", "closedAt", status)
        VALUES (${lit(s.id)}, ${lit(s.id)}, ${lit(s.id)}, 'ROAD', ${lit(s.areaId)}, ${s.every}, ${lit(s.opens)}, ${lit(s.closes)}, ${ts(s.openedAt)}, ${ts(s.closedAt)}, '${s.closedAt ? 'CLOSED' : 'ACTIVE'}')`);
    } else {
      await sql(`INSERT INTO "ProductionLine" (id, name, "nameEn", "enterpriseId", "productId", "ratedDailyCapacity", status, "reportIntervalMinutes", "opensAtMinute", "closesAtMinute", "openedAt", "closedAt")
        VALUES (${lit(s.id)}, ${lit(s.id)}, ${lit(s.id)}, 'cmp-maker', 'medical-mask', 24000, 'PRODUCING', ${s.every}, ${lit(s.opens)}, ${lit(s.closes)}, ${ts(s.openedAt)}, ${ts(s.closedAt)})`);
    }
  }
}

async function insertReports(sql: Sql, sites: Site[], reports: Report[]) {
  const kindOf = new Map(sites.map((s) => [s.id, s.kind]));
  // Superseded versions first, so the current version can name the one it replaces.
  for (const r of [...reports].sort((a, b) => Number(b.superseded) - Number(a.superseded))) {
    const common = `${lit(r.id)}, ${ts(r.start)}, ${ts(r.end)}, 'MANUAL', 'completeness test', ${ts(r.createdAt)}, ${r.superseded ? ts(r.createdAt + MIN) : 'NULL'}, ${lit(r.supersedes ?? null)}`;
    if (kindOf.get(r.site) === 'CHECKPOINT') {
      await sql(`INSERT INTO "CheckpointReport" (id, "periodStart", "periodEnd", source, "reportedBy", "createdAt", "supersededAt", "supersedesId", "checkpointId", "peopleScreened")
        VALUES (${common}, ${lit(r.site)}, 10)`);
    } else {
      await sql(`INSERT INTO "OutputReport" (id, "periodStart", "periodEnd", source, "reportedBy", "createdAt", "supersededAt", "supersedesId", "lineId", produced, "passedQc")
        VALUES (${common}, ${lit(r.site)}, 100, 99)`);
    }
  }
}

type Figures = { expected: number; received: number; receivedOnTime: number };
const sum = (rows: Figures[]): Figures => ({
  expected: rows.reduce((s, r) => s + r.expected, 0),
  received: rows.reduce((s, r) => s + r.received, 0),
  receivedOnTime: rows.reduce((s, r) => s + r.receivedOnTime, 0),
});
const pct = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 10_000) / 100);

describe.skipIf(!(await postgresReachable()))('reporting completeness (PostgreSQL, Asia/Shanghai)', () => {
  const db = databaseForSuite(() => postgresDatabase('completeness'));
  let server: RunningServer;
  let url: string;
  let now: () => number;
  let today: string;
  let yesterday: string;
  const at = (day: string, time: string) => Date.parse(`${day}T${time}:00+08:00`);
  let sites: Site[];
  const reports: Report[] = [];

  beforeAll(async () => {
    const clock = pinnedClock('14:30');
    now = clock.now;
    today = shanghaiDay(clock.now());
    yesterday = shanghaiDay(clock.now() - DAY);
    server = await startServer({ ...db().env, FANGKONG_CLOCK_START: clock.start, FANGKONG_TRACE_SQL: '1' });
    url = server.graphqlUrl;
    sites = [
      { kind: 'CHECKPOINT', id: 'cmp-24h', areaId: 'cmp-comm-a', every: 60, opens: null, closes: null, openedAt: at(yesterday, '00:00') - 30 * DAY, closedAt: null },
      { kind: 'CHECKPOINT', id: 'cmp-shop', areaId: 'cmp-compound-a1', every: 60, opens: 8 * 60, closes: 22 * 60, openedAt: null, closedAt: null },
      { kind: 'CHECKPOINT', id: 'cmp-night', areaId: 'cmp-comm-b', every: 120, opens: 20 * 60, closes: 6 * 60, openedAt: null, closedAt: null },
      // Opened mid-morning today, reporting every 30 minutes.
      { kind: 'CHECKPOINT', id: 'cmp-new', areaId: 'cmp-comm-b', every: 30, opens: null, closes: null, openedAt: at(today, '10:00'), closedAt: null },
      // Closed at noon yesterday: nothing expected after.
      { kind: 'CHECKPOINT', id: 'cmp-closed', areaId: 'cmp-comm-b', every: 60, opens: null, closes: null, openedAt: null, closedAt: at(yesterday, '12:00') },
      { kind: 'PRODUCTION_LINE', id: 'cmp-line', areaId: 'cmp-comm-a', every: 60, opens: null, closes: null, openedAt: null, closedAt: null },
    ];
    // Reports: most periods on time, some late, some missing, some corrected (the old version stays as history), some partial.
    let n = 0;
    const add = (site: string, start: number, end: number, delayMin: number, extra: Partial<Report> = {}) => {
      const r: Report = { site, start, end, createdAt: end + delayMin * MIN, superseded: false, id: randomUUID(), ...extra };
      reports.push(r);
      n++;
      return r;
    };
    for (const day of [yesterday, today]) {
      for (let h = 0; h < 24; h++) {
        const start = at(day, `${String(h).padStart(2, '0')}:00`);
        if (start + HOUR > now()) break;
        // cmp-24h: every hour but 03:00 and 17:00; hours 5 and 6 late (45 and 120 minutes); hour 9 corrected a day later.
        if (h !== 3 && h !== 17) {
          const late = h === 5 ? 45 : h === 6 ? 120 : 2;
          if (h === 9) {
            const old = add('cmp-24h', start, start + HOUR, 10, { superseded: true });
            add('cmp-24h', start, start + HOUR, 24 * 60, { supersedes: old.id });
          } else add('cmp-24h', start, start + HOUR, late);
        }
        // cmp-shop: reports inside its hours except 12:00; one report outside hours (07:00) that counts for nothing.
        if ((h >= 8 && h < 22 && h !== 12) || h === 7) add('cmp-shop', start, start + HOUR, h === 20 ? 31 : 30);
        // cmp-line: even hours only, always on time.
        if (h % 2 === 0) add('cmp-line', start, start + HOUR, 1);
      }
      // cmp-night (20:00–06:00, every 2 h from 20:00): only the 22:00 and 02:00 periods.
      add('cmp-night', at(day, '22:00') - DAY, at(day, '00:00'), 5);
      add('cmp-night', at(day, '02:00'), at(day, '04:00'), 5);
    }
    // cmp-new: one 20-minute report covering part of 10:30–11:00, and one for 11:00–11:30 corrected twice.
    add('cmp-new', at(today, '10:40'), at(today, '11:00'), 0);
    const v1 = add('cmp-new', at(today, '11:00'), at(today, '11:30'), 0, { superseded: true });
    const v2 = add('cmp-new', at(today, '11:00'), at(today, '11:30'), 90, { superseded: true, supersedes: v1.id });
    add('cmp-new', at(today, '11:00'), at(today, '11:30'), 180, { supersedes: v2.id });
    // cmp-closed: reported before it closed, late.
    add('cmp-closed', at(yesterday, '10:00'), at(yesterday, '11:00'), 60);
    expect(n).toBeGreaterThan(40);
    await db().inspect(async (sql) => {
      await insertSites(sql, sites);
      await insertReports(sql, sites, reports);
    });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  const within = globalId('Area', 'cmp-district');

  for (const which of ['yesterday', 'today'] as const) {
    it(`matches the hand-computed expectations per site, area and in total (${which})`, async () => {
      const day = which === 'yesterday' ? yesterday : today;
      const asked = now();
      const response = await graphql(url, COMPLETENESS, { day, within, grace: GRACE_MIN });
      expect(response.errors).toBeUndefined();
      const result = response.data!.reportingCompleteness;
      const clockAt = now();
      // The clock runs between asking and answering; no period of ours ends in that second.
      expect(expectedPeriods(sites[0]!, day, asked).length).toBe(expectedPeriods(sites[0]!, day, clockAt).length);
      expect(result).toMatchObject({ from: day, to: day, timeZone: 'Asia/Shanghai', graceMinutes: GRACE_MIN, siteCount: sites.length, basis: 'LIVE' });
      const mine = new Map(sites.map((s) => [s.id, tally(s, day, asked, reports)]));
      for (const site of sites) {
        const want = mine.get(site.id)!;
        const got = result.sites.find((s: { slug: string }) => s.slug === site.id);
        expect(got, site.id).toBeDefined();
        expect({ id: site.id, ...got.figures, missing: got.missing, missingCount: got.missingCount, area: got.area.slug }).toEqual({
          id: site.id,
          expected: want.expected,
          received: want.received,
          receivedOnTime: want.receivedOnTime,
          completeness: pct(want.received, want.expected),
          onTime: pct(want.receivedOnTime, want.expected),
          missing: want.missing,
          missingCount: want.missing.length,
          area: site.areaId,
        });
      }
      // A few figures worked out by hand, so the test's own reading of the schedule is checked too.
      if (which === 'yesterday') {
        // Hours 5 and 6 came 45 and 120 minutes late; hour 9 was on time and corrected a day later (its first arrival counts).
        expect(mine.get('cmp-24h')).toMatchObject({ expected: 24, received: 22, receivedOnTime: 20 });
        expect(mine.get('cmp-shop')).toMatchObject({ expected: 14, received: 13, receivedOnTime: 12 });
        // Periods starting yesterday: 00:00, 02:00, 04:00 of the night before's opening; 20:00 and 22:00 of its own.
        expect(mine.get('cmp-night')).toMatchObject({ expected: 5, received: 2 });
        expect(mine.get('cmp-closed')).toMatchObject({ expected: 12, received: 1, receivedOnTime: 0 });
        expect(mine.get('cmp-new')).toMatchObject({ expected: 0 });
        expect(result.sites.find((s: { slug: string }) => s.slug === 'cmp-new').figures.completeness).toBeNull();
      } else {
        // 14:30: 14 hours are over; 10:00–14:30 is 9 half hours (the last ends at 14:30) for the site opened at 10:00.
        expect(mine.get('cmp-24h')).toMatchObject({ expected: 14, received: 13 });
        expect(mine.get('cmp-new')).toMatchObject({ expected: 9, received: 2, receivedOnTime: 2 });
        expect(mine.get('cmp-closed')).toMatchObject({ expected: 0 });
      }
      const total = sum([...mine.values()]);
      expect(result.figures).toEqual({ ...total, completeness: pct(total.received, total.expected), onTime: pct(total.receivedOnTime, total.expected) });
      // Every area at every level is the sum of the sites below it.
      for (const area of areas) {
        const below = sites.filter((s) => areas.find((a) => a.id === s.areaId)!.path.startsWith(area.path));
        const got = result.areas.find((a: { area: { slug: string } }) => a.area.slug === area.id);
        expect(got, area.id).toBeDefined();
        const sumBelow = sum(below.map((s) => mine.get(s.id)!));
        expect({ id: area.id, level: got.level, sites: got.sites, ...got.figures }).toEqual({ id: area.id, level: area.level, sites: below.length, ...sumBelow });
        expect(got.sitesComplete).toBe(below.filter((s) => mine.get(s.id)!.missing.length === 0).length);
      }
      expect(result.areas).toHaveLength(areas.length);
    });
  }

  it('sums a range of days, narrows by kind and by area, and moves on-time with the grace period', async () => {
    const range = (await graphql(url, COMPLETENESS, { from: yesterday, to: today, within, grace: 0 })).data!.reportingCompleteness;
    const t = now();
    const both = sites.map((s) => {
      const a = tally(s, yesterday, t, reports, 0);
      const b = tally(s, today, t, reports, 0);
      return { expected: a.expected + b.expected, received: a.received + b.received, receivedOnTime: a.receivedOnTime + b.receivedOnTime };
    });
    expect(range.figures).toMatchObject(sum(both));
    const lines = (await graphql(url, COMPLETENESS, { day: yesterday, within, kinds: ['PRODUCTION_LINE'] })).data!.reportingCompleteness;
    expect(lines.sites.map((s: { slug: string }) => s.slug)).toEqual(['cmp-line']);
    expect(lines.figures).toMatchObject({ expected: 24, received: 12, receivedOnTime: 12 });
    const community = (await graphql(url, COMPLETENESS, { day: yesterday, within: globalId('Area', 'cmp-comm-b') })).data!.reportingCompleteness;
    expect(community.sites.map((s: { slug: string }) => s.slug).sort()).toEqual(['cmp-closed', 'cmp-new', 'cmp-night']);
    // A grace of two hours makes cmp-24h's hours 5 and 6 (45 and 120 minutes late) on time.
    const generous = (await graphql(url, COMPLETENESS, { day: yesterday, within: globalId('Area', 'cmp-comm-a'), kinds: ['CHECKPOINT'], grace: 120 })).data!.reportingCompleteness;
    const t2 = now();
    const underA = sites.filter((s) => s.kind === 'CHECKPOINT' && ['cmp-comm-a', 'cmp-compound-a1'].includes(s.areaId));
    expect(underA.map((s) => s.id)).toEqual(['cmp-24h', 'cmp-shop']);
    expect(generous.figures).toMatchObject(sum(underA.map((s) => tally(s, yesterday, t2, reports, 120))));
    expect(tally(sites[0]!, yesterday, t2, reports, 120)).toMatchObject({ expected: 24, received: 22, receivedOnTime: 22 });
  });

  it('breaks the day down by area at every level, each equal to the sums of the reports below it, with ratio numerators and denominators', async () => {
    // Isolation cases: two active in the compound, one ended before yesterday.
    await db().inspect(async (sql) => {
      for (const [id, start, end] of [
        ['cmp-iso-1', at(yesterday, '00:00') - 3 * DAY, null],
        ['cmp-iso-2', at(yesterday, '09:00'), null],
        ['cmp-iso-3', at(yesterday, '00:00') - 5 * DAY, at(yesterday, '00:00') - DAY],
      ] as const) {
        await sql(`INSERT INTO "IsolationCase" (id, "personName", phone, "compoundId", reason, "startedAt", "endedAt", status, "createdBy")
          VALUES ('${id}', 'x', '0', 'cmp-compound-a1', 'test', ${ts(start)}, ${ts(end)}, '${end ? 'RELEASED' : 'ACTIVE'}', 'test')`);
      }
    });
    const AREA = `query($day: Date!, $within: ID, $level: AreaLevel) { zoneSummary(day: $day, within: $within) {
      within { slug }
      checkpointTotals { peopleScreened reports } production { masks { produced passedQc ratedCapacity } } peopleUnderIsolation
      indicators { feverPer10kScreened { numerator denominator value } maskQcPassRate { numerator denominator value } maskUtilisation { numerator denominator value } }
      byArea(level: $level) { area { slug } level checkpoints counts { peopleScreened reports } peopleUnderIsolation
        production { produced passedQc maskProduced maskPassedQc maskRatedCapacity linesProducing }
        indicators { maskQcPassRate { numerator denominator value } maskUtilisation { numerator denominator value } } } } }`;
    const dayStart = at(yesterday, '00:00');
    const current = reports.filter((r) => !r.superseded && r.start >= dayStart && r.start < dayStart + DAY);
    const kindOf = new Map(sites.map((s) => [s.id, s]));
    const byPath = (path: string) => {
      const here = current.filter((r) => areas.find((a) => a.id === kindOf.get(r.site)!.areaId)!.path.startsWith(path));
      const cps = here.filter((r) => kindOf.get(r.site)!.kind === 'CHECKPOINT');
      const out = here.filter((r) => kindOf.get(r.site)!.kind === 'PRODUCTION_LINE');
      // Every inserted checkpoint report screened 10; every output report made 100 and passed 99.
      return { peopleScreened: cps.length * 10, reports: cps.length, produced: out.length * 100, passedQc: out.length * 99 };
    };
    const district = (await graphql(url, AREA, { day: yesterday, within })).data!.zoneSummary;
    const all = byPath('/cmp-district/');
    expect(all.reports).toBeGreaterThan(30);
    expect(district.within).toEqual({ slug: 'cmp-district' });
    expect(district.checkpointTotals).toEqual({ peopleScreened: all.peopleScreened, reports: all.reports });
    expect(district.production.masks).toEqual({ produced: all.produced, passedQc: all.passedQc, ratedCapacity: 24000 });
    expect(district.peopleUnderIsolation).toBe(2);
    expect(district.indicators.maskQcPassRate).toEqual({ numerator: all.passedQc, denominator: all.produced, value: all.passedQc / all.produced });
    expect(district.indicators.maskUtilisation).toEqual({ numerator: all.produced, denominator: 24000, value: all.produced / 24000 });
    expect(district.indicators.feverPer10kScreened).toEqual({ numerator: 0, denominator: all.peopleScreened, value: 0 });
    // Next level down by default: the township.
    expect(district.byArea.map((a: { area: { slug: string } }) => a.area.slug)).toEqual(['cmp-town']);
    for (const level of ['TOWNSHIP', 'COMMUNITY', 'COMPOUND'] as const) {
      const rows = (await graphql(url, AREA, { day: yesterday, within, level })).data!.zoneSummary.byArea;
      const want = areas.filter((a) => a.level === level);
      expect(rows.map((r: { area: { slug: string } }) => r.area.slug)).toEqual(want.map((a) => a.id));
      for (const area of want) {
        const row = rows.find((r: { area: { slug: string } }) => r.area.slug === area.id);
        const figures = byPath(area.path);
        const lines = sites.filter((s) => s.kind === 'PRODUCTION_LINE' && areas.find((a) => a.id === s.areaId)!.path.startsWith(area.path)).length;
        expect({ area: area.id, level: row.level, checkpoints: row.checkpoints, counts: row.counts, production: row.production, isolated: row.peopleUnderIsolation }).toEqual({
          area: area.id,
          level,
          checkpoints: sites.filter((s) => s.kind === 'CHECKPOINT' && areas.find((a) => a.id === s.areaId)!.path.startsWith(area.path)).length,
          counts: { peopleScreened: figures.peopleScreened, reports: figures.reports },
          production: { produced: figures.produced, passedQc: figures.passedQc, maskProduced: figures.produced, maskPassedQc: figures.passedQc, maskRatedCapacity: 24000 * lines, linesProducing: lines },
          isolated: area.path.startsWith('/cmp-district/cmp-town/cmp-comm-a/') || area.level === 'TOWNSHIP' ? 2 : 0,
        });
        expect(row.indicators.maskQcPassRate).toEqual({ numerator: figures.passedQc, denominator: figures.produced, value: figures.produced ? figures.passedQc / figures.produced : null });
      }
    }
    // The communities add up to the township.
    const communities = (await graphql(url, AREA, { day: yesterday, within, level: 'COMMUNITY' })).data!.zoneSummary.byArea;
    const town = (await graphql(url, AREA, { day: yesterday, within, level: 'TOWNSHIP' })).data!.zoneSummary.byArea[0];
    expect(communities.reduce((n: number, r: { counts: { peopleScreened: number } }) => n + r.counts.peopleScreened, 0)).toBe(town.counts.peopleScreened);
  });

  it('sums series by ISO week in local time across a year boundary, and limits them to an area', async () => {
    // Reports of cmp-24h on Thu 31 Dec 2020, Sat 2 Jan 2021 (ISO week 2020-W53) and Mon 4 Jan 2021 (2021-W01), and of cmp-shop on 3 Jan 23:30 local.
    const old = [
      { site: 'cmp-24h', start: Date.parse('2020-12-31T10:00:00+08:00'), people: 7 },
      { site: 'cmp-24h', start: Date.parse('2021-01-02T23:00:00+08:00'), people: 11 },
      { site: 'cmp-24h', start: Date.parse('2021-01-04T00:00:00+08:00'), people: 13 },
      { site: 'cmp-shop', start: Date.parse('2021-01-03T23:30:00+08:00'), people: 17 },
    ];
    await db().inspect(async (sql) => {
      for (const r of old) {
        await sql(`INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "reportedBy", "peopleScreened")
          VALUES ('${randomUUID()}', '${r.site}', ${ts(r.start)}, ${ts(r.start + 30 * MIN)}, 'test', ${r.people})`);
      }
    });
    const SERIES = `query($within: ID) { checkpointSeries(from: "2020-12-30T00:00:00+08:00", to: "2021-01-11T00:00:00+08:00", bucket: WEEK, within: $within) { start counts { peopleScreened } } }`;
    const weeks = (await graphql(url, SERIES, { within })).data!.checkpointSeries;
    expect(weeks).toEqual([
      { start: '2020-12-27T16:00:00.000Z', counts: { peopleScreened: 7 + 11 + 17 } },
      { start: '2021-01-03T16:00:00.000Z', counts: { peopleScreened: 13 } },
    ]);
    const compound = (await graphql(url, SERIES, { within: globalId('Area', 'cmp-compound-a1') })).data!.checkpointSeries;
    expect(compound.map((w: { counts: { peopleScreened: number } }) => w.counts.peopleScreened)).toEqual([17, 0]);
  });

  it('sends the same number of SQL statements whatever the number of sites', async () => {
    const statements = async (variables: Record<string, unknown>) => {
      const response = await graphql(url, COMPLETENESS, { day: yesterday, ...variables });
      expect(response.errors).toBeUndefined();
      return { sites: response.data!.reportingCompleteness.siteCount as number, statements: response.extensions!.sqlStatements as number };
    };
    const one = await statements({ within: globalId('Area', 'cmp-compound-a1') });
    const six = await statements({ within });
    const everything = await statements({});
    expect([one.sites, six.sites]).toEqual([1, 6]);
    expect(everything.sites).toBeGreaterThan(six.sites);
    expect(six.statements).toBe(one.statements);
    expect(everything.statements).toBe(one.statements);
  });

  it('refuses bad arguments with a typed error', async () => {
    for (const variables of [
      { day: today, from: yesterday, to: today },
      { from: yesterday },
      { from: today, to: yesterday },
      { from: '2020-01-01', to: '2020-03-01' },
      { day: today, grace: -1 },
      { day: '9999-12-31' },
      { from: '1899-12-31', to: '1900-01-02' },
    ]) {
      const response = await graphql(url, COMPLETENESS, variables);
      expect(response.data?.reportingCompleteness ?? null, JSON.stringify(variables)).toBeNull();
      expect(response.errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe('BAD_USER_INPUT');
    }
  });

  it('streams today\'s completeness: a snapshot, then an update when a missing period is reported', async () => {
    const client = wsClient(url);
    const live = collect(
      client,
      `subscription($within: ID) { reportingCompleteness(within: $within) { asOfSeq figures { expected received } sites(first: 50) { slug missing(first: 50) { start } } } }`,
      { within: globalId('Area', 'cmp-comm-a') },
      (d) => d.reportingCompleteness,
    );
    try {
      const [first] = await live.until(1);
      const missingHour = at(today, '03:00');
      const site = first!.sites.find((s: { slug: string }) => s.slug === 'cmp-24h');
      expect(site.missing.map((m: { start: string }) => m.start)).toContain(new Date(missingHour).toISOString());
      const response = await graphql(url, REPORT_CHECKPOINT, {
        input: {
          checkpointId: globalId('Checkpoint', 'cmp-24h'),
          periodStart: new Date(missingHour).toISOString(),
          periodEnd: new Date(missingHour + HOUR).toISOString(),
          peopleScreened: 5,
          idempotencyKey: randomUUID(),
        },
      });
      expect(response.data!.reportCheckpointCounts.__typename).toBe('CheckpointReportPayload');
      const next = await live.waitFor((v) => BigInt(v.asOfSeq) > BigInt(first!.asOfSeq) && v.figures.received === first!.figures.received + 1);
      const after = next.sites.find((s: { slug: string }) => s.slug === 'cmp-24h');
      expect(after.missing.map((m: { start: string }) => m.start)).not.toContain(new Date(missingHour).toISOString());
      expect(live.errors).toEqual([]);
    } finally {
      live.dispose();
      await client.dispose();
    }
  });

  it('keeps what past days expected when a schedule changes; a CLOSED site without a closing date expects nothing', async () => {
    // Sites of their own area, so the figures above are untouched.
    await db().inspect(async (sql) => {
      await sql(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path) VALUES ('cmp-other', 'cmp-other', 'cmp-other', 'DISTRICT', NULL, '/cmp-other/')`);
      await sql(`INSERT INTO "Checkpoint" (id, name, "nameEn", kind, "areaId", "reportIntervalMinutes", status) VALUES
        ('cmp-sched', 'cmp-sched', 'cmp-sched', 'ROAD', 'cmp-other', 60, 'ACTIVE'),
        ('cmp-shut', 'cmp-shut', 'cmp-shut', 'ROAD', 'cmp-other', 60, 'CLOSED')`);
    });
    const other = globalId('Area', 'cmp-other');
    const expected = async (day: string) => {
      const response = await graphql(url, COMPLETENESS, { day, within: other });
      expect(response.errors).toBeUndefined();
      return Object.fromEntries(response.data!.reportingCompleteness.sites.map((s: { slug: string; figures: Figures }) => [s.slug, s.figures.expected]));
    };
    // 14:30: 14 hourly periods of today are over.
    expect(await expected(yesterday)).toEqual({ 'cmp-sched': 24, 'cmp-shut': 0 });
    expect(await expected(today)).toEqual({ 'cmp-sched': 14, 'cmp-shut': 0 });
    // From 08:00 today (the server's clock) cmp-sched is open 08:00–20:00 and reports every 30 minutes.
    await db().inspect(async (sql) => {
      await sql('BEGIN');
      await sql(`SET LOCAL fangkong.schedule_changed_at = '${new Date(at(today, '08:00')).toISOString()}'`);
      await sql(`UPDATE "Checkpoint" SET "reportIntervalMinutes" = 30, "opensAtMinute" = 480, "closesAtMinute" = 1200 WHERE id = 'cmp-sched'`);
      await sql('COMMIT');
    });
    // Yesterday as before; today 00:00–07:00 hourly (8), then 08:00–14:00 every 30 minutes (13, the last ends at 14:30).
    expect(await expected(yesterday)).toEqual({ 'cmp-sched': 24, 'cmp-shut': 0 });
    expect(await expected(today)).toEqual({ 'cmp-sched': 8 + 13, 'cmp-shut': 0 });
    // A change without a time takes effect at the database's clock (after the server's pinned one): nothing already expected moves.
    await db().inspect((sql) => sql(`UPDATE "Checkpoint" SET "reportIntervalMinutes" = 15 WHERE id = 'cmp-sched'`));
    expect(await expected(today)).toEqual({ 'cmp-sched': 8 + 13, 'cmp-shut': 0 });
    const versions = await db().inspect((sql) => sql<{ every: number }>(`SELECT "reportIntervalMinutes" AS every FROM "SiteScheduleVersion" WHERE "siteId" = 'cmp-sched' ORDER BY "validUntil"`));
    expect(versions.map((v) => v.every)).toEqual([60, 30]);
  });

  it('lists the missing periods of the least complete sites among more than the 500 one answer can hold, in order', async () => {
    // 600 hourly checkpoints of their own area, each missing 1–4 of yesterday's hours (150 of each),
    // and 20 missing none (one with a duplicate report): sites(first: 500, incompleteOnly) ends inside
    // the tie of those missing one.
    const many = 600;
    const missingOf = (i: number) => 1 + (i % 4);
    const firstMissing = (i: number) => i % 20;
    const slug = (i: number) => `cmp-many-${String(i).padStart(3, '0')}`;
    await db().inspect(async (sql) => {
      await sql(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path) VALUES ('cmp-many', 'cmp-many', 'cmp-many', 'DISTRICT', NULL, '/cmp-many/')`);
      await sql(`INSERT INTO "Checkpoint" (id, name, "nameEn", kind, "areaId", "reportIntervalMinutes", status)
        SELECT 'cmp-many-' || lpad(i::text, 3, '0'), 'm', 'm', 'ROAD', 'cmp-many', 60, 'ACTIVE' FROM generate_series(0, ${many + 19}) i`);
      await sql(`INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", source, "reportedBy", "createdAt", "peopleScreened")
        SELECT gen_random_uuid()::text, 'cmp-many-' || lpad(i::text, 3, '0'), ${ts(at(yesterday, '00:00'))} + h * interval '1 hour',
          ${ts(at(yesterday, '00:00'))} + (h + 1) * interval '1 hour', 'MANUAL', 'completeness test', ${ts(at(yesterday, '00:00'))} + (h + 1) * interval '1 hour', 1
        FROM generate_series(0, ${many + 19}) i, generate_series(0, 23) h
        WHERE i >= ${many} OR h < i % 20 OR h >= i % 20 + 1 + i % 4`);
      // A duplicate from before current versions were forbidden to overlap: its period counts once.
      await sql(`INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", source, "reportedBy", "createdAt", "peopleScreened", "predatesOverlapRule")
        VALUES (gen_random_uuid()::text, 'cmp-many-${many}', ${ts(at(yesterday, '00:00'))}, ${ts(at(yesterday, '01:00'))}, 'MANUAL', 'completeness test', ${ts(at(yesterday, '01:00'))}, 1, true)`);
    });
    const within = globalId('Area', 'cmp-many');
    const QUERY = `query($day: Date, $within: ID) { reportingCompleteness(day: $day, within: $within) {
      siteCount figures { expected received }
      sites(first: 500, incompleteOnly: true) { slug missingCount missing(first: 24) { start } } } }`;
    const response = await graphql(url, QUERY, { day: yesterday, within });
    expect(response.errors).toBeUndefined();
    const result = response.data!.reportingCompleteness;
    const totalMissing = Array.from({ length: many }, (_, i) => missingOf(i)).reduce((a, b) => a + b, 0);
    expect(result.siteCount).toBe(many + 20);
    expect(result.figures).toEqual({ expected: (many + 20) * 24, received: (many + 20) * 24 - totalMissing });
    // Least complete first (4 missing, then 3, 2, 1), then by id; the tie of those missing one is cut at 500.
    const order = Array.from({ length: many }, (_, i) => i).sort((a, b) => missingOf(b) - missingOf(a) || slug(a).localeCompare(slug(b)));
    expect(result.sites.map((s: { slug: string }) => s.slug)).toEqual(order.slice(0, 500).map(slug));
    for (const i of order.slice(0, 500)) {
      const site = result.sites.find((s: { slug: string }) => s.slug === slug(i));
      const hours = Array.from({ length: missingOf(i) }, (_, k) => new Date(at(yesterday, '00:00') + (firstMissing(i) + k) * HOUR).toISOString());
      expect({ slug: site.slug, missingCount: site.missingCount, missing: site.missing.map((m: { start: string }) => m.start) }).toEqual({ slug: slug(i), missingCount: missingOf(i), missing: hours });
    }
    // Without the missing periods asked for, the same sites in the same order.
    const plain = await graphql(url, QUERY.replace(' missing(first: 24) { start }', ''), { day: yesterday, within });
    expect(plain.errors).toBeUndefined();
    expect(plain.data!.reportingCompleteness.sites).toEqual(result.sites.map((s: { slug: string; missingCount: number }) => ({ slug: s.slug, missingCount: s.missingCount })));
  });
});

// Local days across daylight-saving changes, on the embedded database (PGlite's own time-zone rules).
describe('reporting completeness across DST (embedded database, Europe/Berlin)', () => {
  let database: CliDatabase;
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    database = pgliteDatabase();
    const migrated = await database.cli(['db:migrate']);
    expect(migrated.code, migrated.stderr).toBe(0);
    // Berlin: 29 March 2026 has 23 hours (02:00 → 03:00), 25 October 2026 has 25 (03:00 → 02:00).
    await database.inspect(async (sql) => {
      await insertSites(sql, [
        { kind: 'CHECKPOINT', id: 'cmp-24h', areaId: 'cmp-comm-a', every: 60, opens: null, closes: null, openedAt: null, closedAt: null },
        { kind: 'CHECKPOINT', id: 'cmp-shop', areaId: 'cmp-compound-a1', every: 60, opens: 8 * 60, closes: 22 * 60, openedAt: null, closedAt: null },
        { kind: 'CHECKPOINT', id: 'cmp-night', areaId: 'cmp-comm-b', every: 120, opens: 20 * 60, closes: 6 * 60, openedAt: null, closedAt: null },
      ]);
      // One report at 02:00–03:00 CET on the autumn night's second 02:00 (01:00Z).
      await sql(`INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "reportedBy", "createdAt")
        VALUES ('${randomUUID()}', 'cmp-24h', '2026-10-25T01:00:00Z', '2026-10-25T02:00:00Z', 'test', '2026-10-25T02:05:00Z')`);
    });
    server = await startServer({ ...database.env, FANGKONG_TZ: 'Europe/Berlin', FANGKONG_CLOCK_START: pinnedClock().start });
    url = server.graphqlUrl;
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await database?.dispose();
  });

  it('locks an approved day on the embedded database too: a report of it is a DayLockedError', async () => {
    const approved = (await graphql(url, `mutation { approveDay(areaId: "${globalId('Area', 'cmp-comm-a')}", day: "2026-03-29") { __typename ... on DayApprovalPayload { approval { version totals { counts { reports } } } } } }`)).data!.approveDay;
    expect(approved).toEqual({ __typename: 'DayApprovalPayload', approval: { version: 1, totals: { counts: { reports: 0 } } } });
    const input = (start: string) => ({ checkpointId: globalId('Checkpoint', 'cmp-24h'), periodStart: start, periodEnd: new Date(Date.parse(start) + 3_600_000).toISOString(), peopleScreened: 3, idempotencyKey: randomUUID() });
    const locked = (await graphql(url, REPORT_CHECKPOINT, { input: input('2026-03-29T10:00:00Z') })).data!.reportCheckpointCounts;
    expect(locked).toMatchObject({ __typename: 'DayLockedError', code: 'DAY_LOCKED' });
    // 22:30Z on the 29th is 00:30 on the 30th in Berlin: the next day, open.
    const nextDay = (await graphql(url, REPORT_CHECKPOINT, { input: input('2026-03-29T22:30:00Z') })).data!.reportCheckpointCounts;
    expect(nextDay.__typename).toBe('CheckpointReportPayload');
  });

  it("runs GraphiQL's completeness and area examples", async () => {
    for (const operationName of ['WhoHasReported', 'ByCommunity']) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` },
        body: JSON.stringify({ query: graphiqlDefaultQuery, operationName }),
      });
      const body = (await response.json()) as { errors?: unknown; data?: unknown };
      expect(body.errors, operationName).toBeUndefined();
      expect(body.data, operationName).toBeTruthy();
    }
  });

  it('starts ISO weeks at local Monday midnight on both sides of a DST change', async () => {
    const weeks = (await graphql(url, `{ checkpointSeries(from: "2026-03-23T00:00:00+01:00", to: "2026-04-06T00:00:00+02:00", bucket: WEEK) { start } }`)).data!.checkpointSeries;
    expect(weeks.map((w: { start: string }) => w.start)).toEqual(['2026-03-22T23:00:00.000Z', '2026-03-29T22:00:00.000Z']);
  });

  it('counts 23 hourly periods on the spring day and 25 on the autumn day; opening hours follow the wall clock', async () => {
    const ask = async (day: string) => {
      const response = await graphql(url, COMPLETENESS, { day, within: globalId('Area', 'cmp-district') });
      expect(response.errors).toBeUndefined();
      const r = response.data!.reportingCompleteness;
      return Object.fromEntries(r.sites.map((s: { slug: string; figures: Figures; missing: { start: string }[] }) => [s.slug, { ...s.figures, first: s.missing[0]?.start }]));
    };
    const spring = await ask('2026-03-29');
    expect(spring['cmp-24h']).toMatchObject({ expected: 23, received: 0, first: '2026-03-28T23:00:00.000Z' });
    // 08:00–22:00 CEST: 14 periods, the first at 06:00Z.
    expect(spring['cmp-shop']).toMatchObject({ expected: 14, first: '2026-03-29T06:00:00.000Z' });
    // From the 28th's 20:00 CET (19:00Z) every 2 h to 06:00 CEST (04:00Z): 23:00Z, 01:00Z and 03:00Z start on the 29th;
    // then 20:00 and 22:00 CEST of the 29th's own opening.
    expect(spring['cmp-night']).toMatchObject({ expected: 5, first: '2026-03-28T23:00:00.000Z' });
    const autumn = await ask('2026-10-25');
    expect(autumn['cmp-24h']).toMatchObject({ expected: 25, received: 1, receivedOnTime: 1, first: '2026-10-24T22:00:00.000Z' });
    expect(autumn['cmp-shop']).toMatchObject({ expected: 14, first: '2026-10-25T07:00:00.000Z' });
  });
});
