// Approved or live figures in zoneSummary and the series (issue 15): partners get the latest approved
// version of a day by default, everyone else live figures; a day never approved answers nothing
// (null figures, unapproved days named), never live numbers; APPROVED series are per day (HOUR is
// refused); the series break down by area, each area's sums equal to the reports summed here by hand.
import { randomUUID } from 'node:crypto';
import manifest from '../../server/persisted-operations.json' with { type: 'json' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseForSuite, postgresDatabase } from './support/cli.ts';
import { pinnedClock, shanghaiDay } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { postgresReachable } from './support/postgres.ts';
import { REPORT_CHECKPOINT } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

const DAY = 86_400_000;
const published = (name: string) => Object.values(manifest as Record<string, string>).find((text) => text.startsWith(`query ${name}(`))!;
const APPROVE = `mutation($areaId: ID!, $day: Date!) { approveDay(areaId: $areaId, day: $day) { __typename ... on DayApprovalPayload { approval { version } } ... on Error { code message } } }`;
const REOPEN = `mutation($areaId: ID!, $day: Date!) { reopenDay(areaId: $areaId, day: $day, reason: "late gate sheets") { __typename ... on Error { code message } } }`;
const OUTPUT = `mutation($input: ReportProductionOutputInput!) { reportProductionOutput(input: $input) { __typename ... on Error { code message } } }`;
const SUMMARY = `query($day: Date, $within: ID, $basis: FiguresBasis, $level: AreaLevel) { zoneSummary(day: $day, within: $within, basis: $basis) {
  basis checkpointTotals { peopleScreened reports } peopleUnderIsolation production { masks { produced linesProducing } } isolation { underIsolation } stock { stock }
  approvals { version reopenedAt } byArea(level: $level) { area { id } counts { peopleScreened } } } }`;
const SERIES = `query($from: DateTime!, $to: DateTime!, $bucket: SeriesBucket!, $within: ID, $basis: FiguresBasis, $level: AreaLevel) {
  checkpointSeries(from: $from, to: $to, bucket: $bucket, within: $within, basis: $basis) {
    start basis unapprovedDays counts { peopleScreened reports }
    byArea(level: $level) { area { id } counts { peopleScreened reports } unapprovedDays } } }`;
const PRODUCTION = `query($from: DateTime!, $to: DateTime!, $within: ID, $basis: FiguresBasis) {
  productionSeries(from: $from, to: $to, bucket: DAY, within: $within, basis: $basis) {
    basis unapprovedDays output { produced passedQc reports } byArea { area { id } output { produced } unapprovedDays } } }`;

const RATIOS = `query($from: DateTime!, $to: DateTime!, $within: ID) {
  checkpointSeries(from: $from, to: $to, bucket: DAY, within: $within) {
    counts { feverCases peopleScreened } feverPer10kScreened { numerator denominator value }
    byArea { counts { feverCases peopleScreened } feverPer10kScreened { numerator denominator value } } }
  productionSeries(from: $from, to: $to, bucket: DAY, within: $within) {
    output { produced passedQc } qcPassRate { numerator denominator value } byArea { qcPassRate { numerator denominator value } } } }`;

// The tree: a township with two communities; community A has a compound. A checkpoint in the
// compound and one directly in community A, one in community B; a mask line in community A.
const AREAS = [
  ['ap-district', 'DISTRICT', null],
  ['ap-town', 'TOWNSHIP', 'ap-district'],
  ['ap-comm-a', 'COMMUNITY', 'ap-town'],
  ['ap-comm-b', 'COMMUNITY', 'ap-town'],
  ['ap-cpd-a1', 'COMPOUND', 'ap-comm-a'],
] as const;
const CHECKPOINTS: Record<string, string> = { 'ap-cp-a1': 'ap-cpd-a1', 'ap-cp-a': 'ap-comm-a', 'ap-cp-b': 'ap-comm-b' };
const parentOf = new Map<string, string | null>(AREAS.map(([id, , parent]) => [id, parent]));
/** Whether an area is the given one or below it, by walking up the tree the test made. */
const isBelow = (area: string, ancestor: string) => {
  for (let at: string | null | undefined = area; at; at = parentOf.get(at)) if (at === ancestor) return true;
  return false;
};

interface Submitted {
  checkpoint: string;
  day: string;
  start: string;
  people: number;
}

describe.skipIf(!(await postgresReachable()))('approved and live figures in summaries and series (PostgreSQL)', () => {
  const db = databaseForSuite(() => postgresDatabase('approved_figures'));
  let server: RunningServer;
  let url: string;
  let d1: string;
  let d2: string;
  const tokens: Record<string, string> = {};
  const as = (role: string) => ({ authorization: `Bearer ${tokens[role]}` });
  const area = (id: string) => globalId('Area', id);
  const at = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`).toISOString();
  const submitted: Submitted[] = [];
  const report = async (checkpoint: string, day: string, hour: number, people: number) => {
    const start = at(day, `${String(hour).padStart(2, '0')}:00`);
    const input = { checkpointId: globalId('Checkpoint', checkpoint), periodStart: start, periodEnd: new Date(Date.parse(start) + 3_600_000).toISOString(), peopleScreened: people, idempotencyKey: randomUUID() };
    const result = (await graphql(url, REPORT_CHECKPOINT, { input })).data!.reportCheckpointCounts;
    expect(result.__typename, JSON.stringify(result)).toBe('CheckpointReportPayload');
    submitted.push({ checkpoint, day, start, people });
  };
  /** The reports submitted so far, summed by hand: people and reports of the checkpoints below `ancestor` on the days for which `keep` holds. */
  const handSum = (ancestor: string, keep: (r: Submitted) => boolean) => {
    const mine = submitted.filter((r) => isBelow(CHECKPOINTS[r.checkpoint]!, ancestor) && keep(r));
    return { peopleScreened: mine.reduce((sum, r) => sum + r.people, 0), reports: mine.length };
  };
  const approve = async (areaId: string, day: string) =>
    expect((await graphql(url, APPROVE, { areaId: area(areaId), day }, as('commander'))).data!.approveDay.__typename).toBe('DayApprovalPayload');
  const window = () => ({ from: at(d2, '00:00'), to: new Date(Date.parse(at(d1, '00:00')) + DAY).toISOString() });
  let approvedTown = 0;
  let approvedCommA = 0;

  beforeAll(async () => {
    const clock = pinnedClock('14:30');
    d1 = shanghaiDay(clock.now() - DAY);
    d2 = shanghaiDay(clock.now() - 2 * DAY);
    server = await startServer({ ...db().env, FANGKONG_CLOCK_START: clock.start, FANGKONG_TRACE_SQL: '1' });
    url = server.graphqlUrl;
    await db().inspect(async (sql) => {
      for (const [id, level, parent] of AREAS) {
        const chain: string[] = [];
        for (let up: string | null | undefined = id; up; up = parentOf.get(up)) chain.unshift(up);
        await sql(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path) VALUES ('${id}', '${id}', '${id}', '${level}', ${parent ? `'${parent}'` : 'NULL'}, '/${chain.join('/')}/')`);
      }
      for (const [id, areaId] of Object.entries(CHECKPOINTS)) await sql(`INSERT INTO "Checkpoint" (id, name, "nameEn", kind, "areaId") VALUES ('${id}', '${id}', '${id}', 'ROAD', '${areaId}')`);
      await sql(`INSERT INTO "Enterprise" (id, name, "nameEn", sector, "areaId") VALUES ('ap-works', 'ap-works', 'ap-works', 'SANITARY_MATERIALS', 'ap-comm-a')`);
      await sql(`INSERT INTO "ProductionLine" (id, name, "nameEn", "enterpriseId", "productId", "ratedDailyCapacity", status)
        VALUES ('ap-line', 'ap-line', 'ap-line', 'ap-works', (SELECT id FROM "Product" WHERE category = 'MASK' ORDER BY id LIMIT 1), 10000, 'PRODUCING')`);
    });
    for (const role of ['commander', 'analyst', 'partner']) tokens[role] = await createToken(db().env, role);
    // Two days ago: 40 + 30 in community A, 20 in B; yesterday: 15 in A, 25 + 5 in B; 600 masks two days ago.
    await report('ap-cp-a1', d2, 10, 40);
    await report('ap-cp-a', d2, 11, 30);
    await report('ap-cp-b', d2, 10, 20);
    await report('ap-cp-a1', d1, 9, 15);
    await report('ap-cp-b', d1, 9, 25);
    await report('ap-cp-b', d1, 15, 5);
    const output = await graphql(url, OUTPUT, { input: { lineId: globalId('ProductionLine', 'ap-line'), periodStart: at(d2, '08:00'), periodEnd: at(d2, '09:00'), produced: 600, passedQc: 590, idempotencyKey: randomUUID() } });
    expect(output.data!.reportProductionOutput.__typename, JSON.stringify(output)).toBe('OutputReportPayload');
    // The township and community A are approved for two days ago; then the township is reopened and
    // a late report of community B arrives: the township's approved version no longer equals its live figures.
    await approve('ap-town', d2);
    await approve('ap-comm-a', d2);
    approvedTown = handSum('ap-town', (r) => r.day === d2).peopleScreened;
    approvedCommA = handSum('ap-comm-a', (r) => r.day === d2).peopleScreened;
    expect((await graphql(url, REOPEN, { areaId: area('ap-town'), day: d2 }, as('commander'))).data!.reopenDay.__typename).toBe('DayApprovalPayload');
    await report('ap-cp-b', d2, 16, 8);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("gives partners the approved totals by default through the published operations, and live ones when they ask; analysts live by default", async () => {
    expect(approvedTown).toBe(90);
    const live = handSum('ap-town', (r) => r.day === d2);
    expect(live.peopleScreened).toBe(98);

    const partnerSummary = await graphql(url, published('PartnerZoneSummary'), { day: d2, within: area('ap-town') }, as('partner'));
    expect(partnerSummary.errors).toBeUndefined();
    expect(partnerSummary.data!.zoneSummary).toMatchObject({ basis: 'APPROVED', checkpointTotals: { peopleScreened: 90, reports: 3 }, approvals: [{ version: 1 }] });
    expect(partnerSummary.data!.zoneSummary.approvals[0].reopenedAt).not.toBeNull();
    expect(partnerSummary.data!.zoneSummary.production.masks).toMatchObject({ produced: 600, passedQc: 590, linesProducing: null, simulatedReports: null });
    const partnerLive = (await graphql(url, published('PartnerZoneSummary'), { day: d2, within: area('ap-town'), basis: 'LIVE' }, as('partner'))).data!.zoneSummary;
    expect(partnerLive).toMatchObject({ basis: 'LIVE', checkpointTotals: live, approvals: [] });

    const analyst = (await graphql(url, SUMMARY, { day: d2, within: area('ap-town') }, as('analyst'))).data!.zoneSummary;
    expect(analyst).toMatchObject({ basis: 'LIVE', checkpointTotals: live });
    // Asked APPROVED, byArea lists each area's own latest approved version: community B was never approved, so it is left out.
    const approvedByArea = (await graphql(url, SUMMARY, { day: d2, within: area('ap-town'), basis: 'APPROVED' }, as('analyst'))).data!.zoneSummary;
    expect(approvedByArea.byArea).toEqual([{ area: { id: area('ap-comm-a') }, counts: { peopleScreened: approvedCommA } }]);

    const { from, to } = window();
    const partnerSeries = await graphql(url, published('PartnerCheckpointSeries'), { from, to, bucket: 'DAY', within: area('ap-town') }, as('partner'));
    expect(partnerSeries.errors).toBeUndefined();
    expect(partnerSeries.data!.checkpointSeries).toEqual([
      { start: at(d2, '00:00'), basis: 'APPROVED', unapprovedDays: [], counts: expect.objectContaining({ peopleScreened: 90 }) },
      // Yesterday was never approved: nothing counted, and the day named.
      { start: at(d1, '00:00'), basis: 'APPROVED', unapprovedDays: [d1], counts: expect.objectContaining({ peopleScreened: 0 }) },
    ]);
    // By ISO week (the two days may fall in one week or two): the approved day counted, yesterday named as unapproved.
    const weekly = (await graphql(url, published('PartnerCheckpointSeries'), { from, to, bucket: 'WEEK', within: area('ap-town') }, as('partner'))).data!.checkpointSeries as {
      basis: string;
      unapprovedDays: string[];
      counts: { peopleScreened: number };
    }[];
    expect(weekly.every((p) => p.basis === 'APPROVED')).toBe(true);
    expect(weekly.reduce((sum, p) => sum + p.counts.peopleScreened, 0)).toBe(90);
    expect(weekly.flatMap((p) => p.unapprovedDays)).toEqual([d1]);
    const analystSeries = (await graphql(url, SERIES, { from, to, bucket: 'DAY', within: area('ap-town') }, as('analyst'))).data!.checkpointSeries;
    expect(analystSeries.map((p: { basis: string; counts: unknown; unapprovedDays: string[] }) => [p.basis, p.counts, p.unapprovedDays])).toEqual([
      ['LIVE', live, []],
      ['LIVE', handSum('ap-town', (r) => r.day === d1), []],
    ]);
  });

  it('answers a day never approved with nothing for APPROVED: null figures, empty lists, no approval', async () => {
    const summary = await graphql(url, published('PartnerZoneSummary'), { day: d1, within: area('ap-town') }, as('partner'));
    expect(summary.errors).toBeUndefined();
    expect(summary.data!.zoneSummary).toMatchObject({
      basis: 'APPROVED',
      approvals: [],
      checkpointTotals: null,
      byCheckpointKind: [],
      production: { masks: null },
      peopleUnderIsolation: null,
      stock: [],
    });
    const asked = (await graphql(url, SUMMARY, { day: d1, within: area('ap-town'), basis: 'APPROVED' }, as('analyst'))).data!.zoneSummary;
    expect(asked).toMatchObject({ basis: 'APPROVED', checkpointTotals: null, isolation: null, byArea: [] });
  });

  it('breaks series down by the next area level or a chosen one, equal to the reports summed by hand, zeros included', async () => {
    const { from, to } = window();
    for (const bucket of ['DAY', 'WEEK'] as const) {
      const points = (await graphql(url, SERIES, { from, to, bucket, within: area('ap-town') }, as('analyst'))).data!.checkpointSeries as {
        start: string;
        byArea: { area: { id: string }; counts: { peopleScreened: number; reports: number } }[];
      }[];
      const startOf = (p: number) => Date.parse(points[p]!.start);
      const inPoint = (p: number) => (r: Submitted) => Date.parse(r.start) >= startOf(p) && (p + 1 >= points.length || Date.parse(r.start) < startOf(p + 1));
      for (let p = 0; p < points.length; p++) {
        expect(points[p]!.byArea, `${bucket} ${points[p]!.start}`).toEqual(['ap-comm-a', 'ap-comm-b'].map((id) => ({ area: { id: area(id) }, counts: handSum(id, inPoint(p)), unapprovedDays: [] })));
      }
      expect(points.reduce((sum, point) => sum + point.byArea.reduce((s, a) => s + a.counts.peopleScreened, 0), 0)).toBe(handSum('ap-town', () => true).peopleScreened);
    }
    const compounds = (await graphql(url, SERIES, { from, to, bucket: 'DAY', within: area('ap-town'), level: 'COMPOUND' }, as('analyst'))).data!.checkpointSeries;
    expect(compounds.map((p: { byArea: unknown }) => p.byArea)).toEqual([
      [{ area: { id: area('ap-cpd-a1') }, counts: handSum('ap-cpd-a1', (r) => r.day === d2), unapprovedDays: [] }],
      [{ area: { id: area('ap-cpd-a1') }, counts: handSum('ap-cpd-a1', (r) => r.day === d1), unapprovedDays: [] }],
    ]);
    // APPROVED by area: each area's own approved days; community B was never approved, and yesterday no one was.
    const approved = (await graphql(url, SERIES, { from, to, bucket: 'DAY', within: area('ap-town'), basis: 'APPROVED' }, as('analyst'))).data!.checkpointSeries;
    expect(approved.map((p: { byArea: unknown }) => p.byArea)).toEqual([
      [
        { area: { id: area('ap-comm-a') }, counts: { peopleScreened: approvedCommA, reports: 2 }, unapprovedDays: [] },
        { area: { id: area('ap-comm-b') }, counts: { peopleScreened: 0, reports: 0 }, unapprovedDays: [d2] },
      ],
      [
        { area: { id: area('ap-comm-a') }, counts: { peopleScreened: 0, reports: 0 }, unapprovedDays: [d1] },
        { area: { id: area('ap-comm-b') }, counts: { peopleScreened: 0, reports: 0 }, unapprovedDays: [d1] },
      ],
    ]);
    // Output by area: the mask line is in community A; approved, the township's approved units.
    const output = (await graphql(url, PRODUCTION, { ...window(), within: area('ap-town') }, as('analyst'))).data!.productionSeries;
    expect(output[0]).toMatchObject({
      basis: 'LIVE',
      output: { produced: 600, passedQc: 590, reports: 1 },
      byArea: [
        { area: { id: area('ap-comm-a') }, output: { produced: 600 } },
        { area: { id: area('ap-comm-b') }, output: { produced: 0 } },
      ],
    });
    // Ratios come with their numerator and denominator, per bucket and per area.
    const ratios = (await graphql(url, RATIOS, { from, to, within: area('ap-town') }, as('analyst'))).data!;
    const ratio = (numerator: number, denominator: number, scale: number) => ({ numerator, denominator, value: denominator ? (numerator / denominator) * scale : null });
    const fever = (c: { feverCases: number; peopleScreened: number }) => ratio(c.feverCases, c.peopleScreened, 10_000);
    expect(ratios.checkpointSeries.length).toBe(2);
    expect(ratios.checkpointSeries.map((p: { counts: { peopleScreened: number } }) => p.counts.peopleScreened)).toEqual([handSum('ap-town', (r) => r.day === d2).peopleScreened, handSum('ap-town', (r) => r.day === d1).peopleScreened]);
    for (const point of ratios.checkpointSeries) {
      expect(point.feverPer10kScreened).toEqual(fever(point.counts));
      for (const a of point.byArea) expect(a.feverPer10kScreened).toEqual(fever(a.counts));
    }
    expect(ratios.productionSeries[0]).toMatchObject({ output: { produced: 600, passedQc: 590 }, qcPassRate: ratio(590, 600, 1) });
    expect(ratios.productionSeries[0].byArea.map((a: { qcPassRate: unknown }) => a.qcPassRate)).toEqual([ratio(590, 600, 1), ratio(0, 0, 1)]);
    const approvedOutput = (await graphql(url, PRODUCTION, { ...window(), within: area('ap-town'), basis: 'APPROVED' }, as('analyst'))).data!.productionSeries;
    expect(approvedOutput.map((p: { output: unknown; unapprovedDays: string[] }) => [p.output, p.unapprovedDays])).toEqual([
      [{ produced: 600, passedQc: 590, reports: null }, []],
      [{ produced: 0, passedQc: 0, reports: null }, [d1]],
    ]);
  });

  it('reads a series broken down by area in as many statements for a few areas as for every compound of the zone', async () => {
    const { from, to } = window();
    // Forty more compounds elsewhere in the district (no sites: zeros), so COMPOUND lists far more areas than TOWNSHIP.
    await db().inspect(async (sql) => {
      await sql(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path) VALUES ('ap-far', 'ap-far', 'ap-far', 'COMMUNITY', 'ap-district', '/ap-district/ap-far/')`);
      await sql(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path)
        SELECT 'ap-far-' || n, 'ap-far-' || n, 'ap-far-' || n, 'COMPOUND', 'ap-far', '/ap-district/ap-far/ap-far-' || n || '/' FROM generate_series(1, 40) AS n`);
    });
    const counted = async (level: string, basis: string) => {
      const result = await graphql(url, SERIES, { from, to, bucket: 'DAY', basis, level }, as('analyst'));
      expect(result.errors, `${level} ${basis}`).toBeUndefined();
      return { areas: result.data!.checkpointSeries[0].byArea.length as number, statements: (result as { extensions?: { sqlStatements?: number } }).extensions?.sqlStatements };
    };
    for (const basis of ['LIVE', 'APPROVED']) {
      const few = await counted('TOWNSHIP', basis);
      const many = await counted('COMPOUND', basis);
      expect(many.areas, basis).toBeGreaterThan(few.areas + 5);
      expect(few.statements, basis).toBeGreaterThan(0);
      expect(many.statements, basis).toBe(few.statements);
    }
  });

  it('refuses APPROVED figures by the hour, and site filters, with a typed error naming the argument', async () => {
    const { from, to } = window();
    const hourly = await graphql(url, `query($from: DateTime!, $to: DateTime!, $within: ID) { checkpointSeries(from: $from, to: $to, bucket: HOUR, within: $within, basis: APPROVED) { start } }`, { from, to, within: area('ap-town') }, as('analyst'));
    expect(hourly.data ?? null).toBeNull();
    expect(hourly.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'bucket' });
    // A partner's published series by the hour is APPROVED by default: refused the same way.
    const partner = await graphql(url, published('PartnerCheckpointSeries'), { from, to, bucket: 'HOUR' }, as('partner'));
    expect(partner.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'bucket' });
    const bySite = await graphql(url, `query($from: DateTime!, $to: DateTime!, $ids: [ID!]) { checkpointSeries(from: $from, to: $to, bucket: DAY, basis: APPROVED, checkpointIds: $ids) { start } }`, { from, to, ids: [globalId('Checkpoint', 'ap-cp-b')] }, as('analyst'));
    expect(bySite.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'checkpointIds' });
  });
});
