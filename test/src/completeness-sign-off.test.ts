// Signing off a day: approval by role, the lock the database keeps afterwards (typed DayLockedError
// for reports and corrections of the day in the area, nothing written), reopening with a reason and
// re-approving with every version kept, partners seeing approved figures only, the state streamed,
// and an approval racing reports storing totals that agree with the asOfSeq it records.
import { randomUUID } from 'node:crypto';
import manifest from '../../server/persisted-operations.json' with { type: 'json' };
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseForSuite, postgresDatabase } from './support/cli.ts';
import { pinnedClock, shanghaiDay } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { collect, wsClient } from './support/live.ts';
import { postgresReachable } from './support/postgres.ts';
import { REPORT_CHECKPOINT } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

const DAY = 86_400_000;

const APPROVE = `mutation($areaId: ID!, $day: Date!) { approveDay(areaId: $areaId, day: $day) {
  __typename
  ... on DayApprovalPayload { approval { version asOfSeq approvedBy totals { counts { peopleScreened reports } } } state { status versions { version } } }
  ... on Error { code message }
} }`;
const REOPEN = `mutation($areaId: ID!, $day: Date!, $reason: String!) { reopenDay(areaId: $areaId, day: $day, reason: $reason) {
  __typename
  ... on DayApprovalPayload { approval { version reopenedAt reopenReason } state { status } }
  ... on Error { code message }
} }`;
const REPORT = REPORT_CHECKPOINT.replace('... on Error { code message }', '... on Error { code message } ... on DayLockedError { areaSlug day version }');
const CORRECT = `mutation($id: ID!, $people: Int!) { correctCheckpointReport(reportId: $id, input: { peopleScreened: $people }, reason: "recount", idempotencyKey: "${'k'.repeat(8)}-${randomUUID()}") {
  __typename ... on CheckpointReportPayload { report { id peopleScreened } } ... on Error { code message } ... on DayLockedError { areaSlug day version } } }`;
const STATE = `query($areaId: ID!, $day: Date!) { dayApproval(areaId: $areaId, day: $day) {
  status latest { version } versions { version approvedBy asOfSeq reopenedAt reopenedBy reopenReason totals { counts { peopleScreened } } } } }`;
const PARTNER_FIGURES = Object.values(manifest as Record<string, string>).find((text) => text.startsWith('query PartnerAreaDayFigures'))!;

describe.skipIf(!(await postgresReachable()))('signing off a day (PostgreSQL)', () => {
  const db = databaseForSuite(() => postgresDatabase('sign_off'));
  let server: RunningServer;
  let url: string;
  let yesterday: string;
  let today: string;
  const tokens: Record<string, string> = {};
  const at = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`).toISOString();
  const as = (role: string) => ({ authorization: `Bearer ${tokens[role]}` });
  const area = (id: string) => globalId('Area', id);
  const report = async (checkpoint: string, start: string, end: string, people: number) =>
    (
      await graphql(url, REPORT, {
        input: { checkpointId: globalId('Checkpoint', checkpoint), periodStart: start, periodEnd: end, peopleScreened: people, idempotencyKey: randomUUID() },
      })
    ).data!.reportCheckpointCounts;
  const rows = (text: string) => db().inspect((sql) => sql(text));
  let reportA: string;

  beforeAll(async () => {
    const clock = pinnedClock('14:30');
    today = shanghaiDay(clock.now());
    yesterday = shanghaiDay(clock.now() - DAY);
    server = await startServer({ ...db().env, FANGKONG_CLOCK_START: clock.start });
    url = server.graphqlUrl;
    await db().inspect(async (sql) => {
      for (const [id, level, parent, path] of [
        ['sg-district', 'DISTRICT', null, '/sg-district/'],
        ['sg-town', 'TOWNSHIP', 'sg-district', '/sg-district/sg-town/'],
        ['sg-comm-a', 'COMMUNITY', 'sg-town', '/sg-district/sg-town/sg-comm-a/'],
        ['sg-comm-b', 'COMMUNITY', 'sg-town', '/sg-district/sg-town/sg-comm-b/'],
        ['sg-comm-c', 'COMMUNITY', 'sg-town', '/sg-district/sg-town/sg-comm-c/'],
      ] as const) {
        await sql(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path) VALUES ('${id}', '${id}', '${id}', '${level}', ${parent ? `'${parent}'` : 'NULL'}, '${path}')`);
      }
      for (const [id, areaId] of [['sg-cp-a', 'sg-comm-a'], ['sg-cp-b', 'sg-comm-b'], ['sg-cp-c', 'sg-comm-c']]) {
        await sql(`INSERT INTO "Checkpoint" (id, name, "nameEn", kind, "areaId") VALUES ('${id}', '${id}', '${id}', 'ROAD', '${areaId}')`);
      }
    });
    for (const role of ['commander', 'analyst', 'partner']) tokens[role] = await createToken(db().env, role);
    tokens.operator = await createToken(db().env, 'operator', ['sg-cp-a']);
    const a = await report('sg-cp-a', at(yesterday, '10:00'), at(yesterday, '11:00'), 100);
    reportA = a.report.id;
    expect((await report('sg-cp-b', at(yesterday, '10:00'), at(yesterday, '11:00'), 50)).__typename).toBe('CheckpointReportPayload');
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('lets commanders and admins approve a day that is over, and no one else', async () => {
    for (const role of ['analyst', 'operator', 'partner']) {
      const refused = await graphql(url, APPROVE, { areaId: area('sg-comm-a'), day: yesterday }, as(role));
      expect(refused.data?.approveDay ?? null, role).toBeNull();
      expect(refused.errors?.[0]?.extensions?.code, role).toMatch(/FORBIDDEN|PERSISTED_QUERY_ONLY/);
    }
    const early = (await graphql(url, APPROVE, { areaId: area('sg-comm-a'), day: today }, as('commander'))).data!.approveDay;
    expect(early).toMatchObject({ __typename: 'ValidationError', code: 'VALIDATION_FAILED' });
    const { seq } = ((await rows(`SELECT MAX(seq)::text AS seq FROM "Event"`)) as { seq: string }[])[0]!;
    const approved = (await graphql(url, APPROVE, { areaId: area('sg-comm-a'), day: yesterday }, as('commander'))).data!.approveDay;
    expect(approved).toMatchObject({
      __typename: 'DayApprovalPayload',
      approval: { version: 1, asOfSeq: seq, totals: { counts: { peopleScreened: 100, reports: 1 } } },
      state: { status: 'APPROVED', versions: [{ version: 1 }] },
    });
    expect(approved.approval.approvedBy).toContain('commander');
    const again = (await graphql(url, APPROVE, { areaId: area('sg-comm-a'), day: yesterday }, as('commander'))).data!.approveDay;
    expect(again).toMatchObject({ __typename: 'InvalidStateError', code: 'INVALID_STATE' });
    const events = await rows(`SELECT type, payload->>'version' AS version FROM "Event" WHERE type LIKE 'dayApproval:%' ORDER BY seq`);
    expect(events).toEqual([{ type: 'dayApproval:approved', version: '1' }]);
  });

  it('refuses reports and corrections of the locked day in the area with DayLockedError, writing nothing; other areas and days go on', async () => {
    const before = await rows(`SELECT COUNT(*)::int AS n FROM "CheckpointReport"`);
    const late = await report('sg-cp-a', at(yesterday, '12:00'), at(yesterday, '13:00'), 7);
    expect(late).toMatchObject({ __typename: 'DayLockedError', code: 'DAY_LOCKED', areaSlug: 'sg-comm-a', day: yesterday, version: 1 });
    const byOperator = (await graphql(url, REPORT, { input: { checkpointId: globalId('Checkpoint', 'sg-cp-a'), periodStart: at(yesterday, '13:00'), periodEnd: at(yesterday, '14:00'), peopleScreened: 1, idempotencyKey: randomUUID() } }, as('operator'))).data!.reportCheckpointCounts;
    expect(byOperator.__typename).toBe('DayLockedError');
    const correction = (await graphql(url, CORRECT, { id: reportA, people: 120 })).data!.correctCheckpointReport;
    expect(correction).toMatchObject({ __typename: 'DayLockedError', code: 'DAY_LOCKED', day: yesterday });
    expect(await rows(`SELECT COUNT(*)::int AS n FROM "CheckpointReport"`)).toEqual(before);
    expect(await rows(`SELECT COUNT(*)::int AS n FROM "CheckpointReport" WHERE "supersededAt" IS NOT NULL`)).toEqual([{ n: 0 }]);
    expect((await report('sg-cp-b', at(yesterday, '12:00'), at(yesterday, '13:00'), 5)).__typename).toBe('CheckpointReportPayload');
    expect((await report('sg-cp-a', at(today, '09:00'), at(today, '10:00'), 5)).__typename).toBe('CheckpointReportPayload');
  });

  it('reopens with a reason (commanders only), takes the correction, re-approves, and keeps both versions; the state is streamed', async () => {
    const client = wsClient(url);
    const live = collect(client, `subscription($areaId: ID!, $day: Date!) { dayApproval(areaId: $areaId, day: $day) { status versions { version } } }`, { areaId: area('sg-comm-a'), day: yesterday }, (d) => d.dayApproval);
    try {
      await live.waitFor((s) => s.status === 'APPROVED');
      const refused = await graphql(url, REOPEN, { areaId: area('sg-comm-a'), day: yesterday, reason: 'recount' }, as('analyst'));
      expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const noReason = (await graphql(url, REOPEN, { areaId: area('sg-comm-a'), day: yesterday, reason: '  ' }, as('commander'))).data!.reopenDay;
      expect(noReason.__typename).toBe('ValidationError');
      const reopened = (await graphql(url, REOPEN, { areaId: area('sg-comm-a'), day: yesterday, reason: 'gate counted a bus twice' }, as('commander'))).data!.reopenDay;
      expect(reopened).toMatchObject({ __typename: 'DayApprovalPayload', approval: { version: 1, reopenReason: 'gate counted a bus twice' }, state: { status: 'REOPENED' } });
      await live.waitFor((s) => s.status === 'REOPENED');
      const correction = (await graphql(url, CORRECT, { id: reportA, people: 120 })).data!.correctCheckpointReport;
      expect(correction).toMatchObject({ __typename: 'CheckpointReportPayload', report: { peopleScreened: 120 } });
      const second = (await graphql(url, APPROVE, { areaId: area('sg-comm-a'), day: yesterday }, as('commander'))).data!.approveDay;
      expect(second).toMatchObject({ approval: { version: 2, totals: { counts: { peopleScreened: 120 } } }, state: { status: 'APPROVED' } });
      await live.waitFor((s) => s.status === 'APPROVED' && s.versions.length === 2);
      const state = (await graphql(url, STATE, { areaId: area('sg-comm-a'), day: yesterday }, as('analyst'))).data!.dayApproval;
      expect(state.status).toBe('APPROVED');
      expect(state.versions.map((v: { version: number; totals: { counts: { peopleScreened: number } }; reopenReason: string | null }) => [v.version, v.totals.counts.peopleScreened, v.reopenReason])).toEqual([
        [1, 100, 'gate counted a bus twice'],
        [2, 120, null],
      ]);
      expect(state.versions[0].reopenedBy).toContain('commander');
      const audited = await rows(`SELECT action FROM "AuditEntry" WHERE action LIKE 'dayApproval:%' ORDER BY at, id`);
      expect(audited.map((a) => a.action)).toEqual(['dayApproval:approved', 'dayApproval:reopened', 'dayApproval:approved']);
      expect(live.errors).toEqual([]);
    } finally {
      live.dispose();
      await client.dispose();
    }
  });

  it('shows partners the approved figures only (nothing before approval); others see live figures unless they ask', async () => {
    const partner = await graphql(url, PARTNER_FIGURES, { areaId: area('sg-comm-a'), day: yesterday }, as('partner'));
    expect(partner.errors).toBeUndefined();
    expect(partner.data!.areaDayFigures).toMatchObject({ basis: 'APPROVED', status: 'APPROVED', approval: { version: 2 }, totals: { counts: { peopleScreened: 120 } } });
    const unapproved = (await graphql(url, PARTNER_FIGURES, { areaId: area('sg-comm-b'), day: yesterday }, as('partner'))).data!.areaDayFigures;
    expect(unapproved).toMatchObject({ basis: 'APPROVED', status: 'OPEN', approval: null, totals: null });
    const own = await graphql(url, `query($areaId: ID!, $day: Date!) { areaDayFigures(areaId: $areaId, day: $day, basis: LIVE) { basis } }`, { areaId: area('sg-comm-b'), day: yesterday }, as('partner'));
    expect(own.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    const analyst = (await graphql(url, `query($areaId: ID!, $day: Date!) { areaDayFigures(areaId: $areaId, day: $day) { basis totals { counts { peopleScreened } } } }`, { areaId: area('sg-comm-b'), day: yesterday }, as('analyst'))).data!.areaDayFigures;
    expect(analyst).toEqual({ basis: 'LIVE', totals: { counts: { peopleScreened: 55 } } });
    const summary = (await graphql(url, `{ zoneSummary { basis } }`, {}, as('analyst'))).data!.zoneSummary;
    expect(summary.basis).toBe('LIVE');
  });

  it('stores totals that agree with its asOfSeq when reports arrive while it approves', async () => {
    // 24 ten-minute reports of yesterday for sg-cp-c, sent in parallel with the approval of its community.
    const slots = Array.from({ length: 24 }, (_, i) => new Date(Date.parse(at(yesterday, '08:00')) + i * 600_000));
    const sends = slots.map((start, i) => report('sg-cp-c', start.toISOString(), new Date(start.getTime() + 600_000).toISOString(), i + 1));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const approval = graphql(url, APPROVE, { areaId: area('sg-comm-c'), day: yesterday }, as('commander'));
    const results = await Promise.all(sends);
    const approved = (await approval).data!.approveDay;
    expect(approved.__typename).toBe('DayApprovalPayload');
    for (const r of results) expect(['CheckpointReportPayload', 'DayLockedError']).toContain(r.__typename);
    const { counted, after } = ((await rows(`
      SELECT COALESCE(SUM(r."peopleScreened") FILTER (WHERE e.seq <= ${approved.approval.asOfSeq}), 0)::int AS counted,
             COUNT(*) FILTER (WHERE e.seq > ${approved.approval.asOfSeq})::int AS after
      FROM "CheckpointReport" r JOIN "Event" e ON e."subjectId" = r.id AND e.type = 'checkpointReport:reported'
      WHERE r."checkpointId" = 'sg-cp-c'`)) as { counted: number; after: number }[])[0]!;
    expect(approved.approval.totals.counts.peopleScreened).toBe(counted);
    // Nothing of the day got in after the approval's position.
    expect(after).toBe(0);
    const accepted = results.filter((r) => r.__typename === 'CheckpointReportPayload');
    expect(accepted.reduce((n: number, r: { report: { peopleScreened: number } }) => n + r.report.peopleScreened, 0)).toBe(counted);
    console.log(`race: ${accepted.length} of ${results.length} reports got in before the approval, ${results.length - accepted.length} refused as locked`);
  });
});
