// The daily briefing (专题简报): its figures equal independent queries of the same day (a
// correction and a late report included, up to asOfSeq); an issued version never changes, byte for
// byte, whatever arrives later; issuing again makes the next version under the same number; a
// signed-off day's briefing uses the approved figures; briefingIssued arrives on the events stream;
// the print page renders in Chromium (screenshot and PDF, no overflow, CJK text) and the .docx
// carries the headline figures; partners and displays read it, never personal data; only
// commanders and admins issue.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import manifest from '../../server/persisted-operations.json' with { type: 'json' };
import { browserAvailable, imageStats, launchChromium } from './support/browser.ts';
import { databaseForSuite, postgresDatabase } from './support/cli.ts';
import { globalId } from './support/ids.ts';
import { collect, wsClient } from './support/live.ts';
import { postgresReachable } from './support/postgres.ts';
import { repoRoot } from './support/processes.ts';
import { REPORT_CHECKPOINT } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

const artifacts = join(repoRoot, 'test', 'artifacts');

// The server's clock runs from the afternoon after the briefed day, in the response's own February,
// so the running totals since 27 January cover a few days, not years.
const CLOCK_START = '2020-02-10T14:30:00+08:00';
const DAY = '2020-02-09';
const PREVIOUS = '2020-02-08';
const at = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`).toISOString();
const FIGURES = 'vehiclesInspected peopleScreened feverCases hubeiLinked referred disinfections';
const PERSON = { name: '简报测试甲', phone: '13900001111', reason: '2月8日自武汉返回（测试）' };

const PARTNER_BRIEFING = Object.values(manifest as Record<string, string>).find((text) => text.startsWith('query PartnerBriefing('))!;
const ISSUE = `mutation($day: Date!, $areaId: ID) { issueBriefing(day: $day, areaId: $areaId) {
  __typename
  ... on BriefingPayload { briefing { number version asOfSeq basis provisional approvalVersion contentSha256 printPath docxPath headline { day { ${FIGURES} reports } } } }
  ... on Error { code message }
} }`;
const CORRECT = `mutation($id: ID!, $people: Int!, $fever: Int!) { correctCheckpointReport(reportId: $id, input: { peopleScreened: $people, feverCases: $fever }, reason: "recount", idempotencyKey: "${randomUUID()}") {
  __typename ... on CheckpointReportPayload { report { id peopleScreened } } ... on Error { code message } } }`;
const OUTPUT = `mutation($input: ReportProductionOutputInput!) { reportProductionOutput(input: $input) { __typename ... on Error { code message } } }`;
const ISOLATE = `mutation($compoundId: ID!, $name: String!, $phone: String!, $reason: String!, $startedAt: DateTime!) {
  openIsolationCase(compoundId: $compoundId, personName: $name, phone: $phone, reason: $reason, startedAt: $startedAt) { __typename ... on Error { code message } } }`;
const ASSIGN = `mutation($title: String!, $dueAt: DateTime!) { assignTask(title: $title, ownerDepartmentId: "${globalId('Department', 'health')}", dueAt: $dueAt) { __typename ... on TaskPayload { task { id } } ... on Error { code message } } }`;
const TASK_DONE = `mutation($id: ID!) { updateTaskStatus(taskId: $id, status: DONE) { __typename ... on Error { code message } } }`;
const APPROVE = `mutation($areaId: ID!, $day: Date!) { approveDay(areaId: $areaId, day: $day) { __typename ... on DayApprovalPayload { approval { version totals { counts { ${FIGURES} } } } } ... on Error { code message } } }`;

describe.skipIf(!(await postgresReachable()))('the daily briefing (PostgreSQL)', () => {
  const db = databaseForSuite(() => postgresDatabase('hbriefing'));
  let server: RunningServer;
  let url: string;
  const tokens: Record<string, string> = {};
  const as = (role: string) => ({ authorization: `Bearer ${tokens[role]}` });
  const rows = <R extends Record<string, unknown>>(text: string) => db().inspect((sql) => sql<R>(text));
  const report = async (checkpoint: string, day: string, from: string, to: string, figures: Record<string, number>) => {
    const input = { checkpointId: globalId('Checkpoint', checkpoint), periodStart: at(day, from), periodEnd: at(day, to), idempotencyKey: randomUUID(), ...figures };
    const result = (await graphql(url, REPORT_CHECKPOINT, { input })).data!.reportCheckpointCounts;
    expect(result.__typename, JSON.stringify(result)).toBe('CheckpointReportPayload');
    return result.report.id as string;
  };
  const read = async (version: number | null, role = 'analyst') => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[role]}` },
      body: JSON.stringify({ query: PARTNER_BRIEFING, variables: { day: DAY, version } }),
    });
    return { status: response.status, text: await response.text() };
  };
  const document = (path: string, role = 'partner') => fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${tokens[role]}` } });
  let v1: Record<string, any>;
  let v1Body: string;
  let v1Page: string;

  beforeAll(async () => {
    server = await startServer({ ...db().env, FANGKONG_CLOCK_START: CLOCK_START });
    url = server.graphqlUrl;
    // The alert evaluator's own writes would run beside the issue (and its sweep reads the real
    // clock's silences): its rules are rows an admin may switch off. The day's alerts are written here.
    await rows(`UPDATE "AlertRule" SET enabled = false`);
    await db().inspect(async (sql) => {
      for (const [id, raised, resolved] of [
        ['briefing-alert-day', `${DAY}T10:30`, null],
        ['briefing-alert-day-resolved', `${DAY}T11:00`, `${DAY}T11:40`],
        ['briefing-alert-before', `${PREVIOUS}T22:00`, null],
      ] as const) {
        await sql(`INSERT INTO "Alert" (id, "ruleId", kind, severity, status, "subjectType", "subjectId", occurrence, "areaPath", "siteId", message, "messageEn", details, "raisedAt", "resolvedAt")
          VALUES ('${id}', 'fever-at-entry', 'FEVER_AT_ENTRY', 'HIGH', '${resolved ? 'RESOLVED' : 'OPEN'}', 'Checkpoint', 'yingbin-road-exit', '${id}', '/shifanqu/', 'yingbin-road-exit',
            '迎宾路高速出口发现发热人员（测试）', 'Fever case at the Yingbin Road exit (test)', '{}', '${raised}:00+08:00', ${resolved ? `'${resolved}:00+08:00'` : 'NULL'})`);
      }
    });
    for (const role of ['commander', 'analyst', 'partner', 'display']) tokens[role] = await createToken(db().env, role);
    tokens.operator = await createToken(db().env, 'operator', ['fengshou-road']);
    tokens.health = await createToken(db().env, 'health', ['zhulinlu']);
    // Before the first day (not in the running total), the first days, the previous day, the day.
    await report('fengshou-road', '2020-01-20', '09:00', '10:00', { peopleScreened: 999, feverCases: 9 });
    await report('fengshou-road', '2020-01-28', '09:00', '10:00', { peopleScreened: 40, feverCases: 1, vehiclesInspected: 12 });
    await report('fengshou-road', PREVIOUS, '08:00', '09:00', { peopleScreened: 80, vehiclesInspected: 30, disinfections: 2 });
    await report('fengshou-road', DAY, '08:00', '09:00', { peopleScreened: 100, feverCases: 1, vehiclesInspected: 20, hubeiLinked: 3, referred: 1, disinfections: 4 });
    const exit = await report('yingbin-road-exit', DAY, '10:00', '11:00', { peopleScreened: 300, feverCases: 2, vehiclesInspected: 90 });
    // A correction: it replaces the report in every total.
    const corrected = (await graphql(url, CORRECT, { id: exit, people: 250, fever: 1 })).data!.correctCheckpointReport;
    expect(corrected).toMatchObject({ __typename: 'CheckpointReportPayload', report: { peopleScreened: 250 } });
    const output = (await graphql(url, OUTPUT, { input: { lineId: globalId('ProductionLine', 'mingren-mingkang-line-1'), periodStart: at(DAY, '08:00'), periodEnd: at(DAY, '09:00'), produced: 1000, passedQc: 990, idempotencyKey: randomUUID() } })).data!.reportProductionOutput;
    expect(output.__typename, JSON.stringify(output)).toBe('OutputReportPayload');
    const isolated = (await graphql(url, ISOLATE, { compoundId: globalId('Area', 'changlv-linxigu'), name: PERSON.name, phone: PERSON.phone, reason: PERSON.reason, startedAt: at(DAY, '09:00') }, as('health'))).data!.openIsolationCase;
    expect(isolated.__typename, JSON.stringify(isolated)).toBe('IsolationCasePayload');
    // Command work: two tasks due on the day (one done), resumption applications around it (the
    // day is a Sunday: Thursday's decided within two working days, Tuesday's not; Monday's waits too long).
    for (const [title, done] of [['briefing test task done', true], ['briefing test task open', false]] as const) {
      const task = (await graphql(url, ASSIGN, { title, dueAt: at(DAY, '18:00') }, as('commander'))).data!.assignTask;
      expect(task.__typename, JSON.stringify(task)).toBe('TaskPayload');
      if (done) expect((await graphql(url, TASK_DONE, { id: task.task.id }, as('commander'))).data!.updateTaskStatus.__typename).toBe('TaskPayload');
    }
    await db().inspect(async (sql) => {
      for (const [id, submitted, decided, status] of [
        ['briefing-app-thu', '2020-02-06T10:00', `${DAY}T11:00`, 'APPROVED'],
        ['briefing-app-tue', '2020-02-04T10:00', `${DAY}T12:00`, 'REJECTED'],
        ['briefing-app-mon', '2020-02-03T10:00', null, 'SUBMITTED'],
        ['briefing-app-sun', `${DAY}T09:00`, null, 'SUBMITTED'],
      ] as const) {
        await sql(`INSERT INTO "ResumptionApplication" (id, "enterpriseId", "submittedAt", status, "decidedAt") VALUES ('${id}', 'zhuoli-membrane', '${submitted}:00+08:00', '${status}', ${decided ? `'${decided}:00+08:00'` : 'NULL'})`);
      }
    });
    // A late report of the day, arriving the next afternoon, just before the briefing is issued.
    await report('zhongyuan-road-exit', DAY, '20:00', '21:00', { peopleScreened: 77, vehiclesInspected: 31 });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('issues to commanders and admins only, for a day that is over', async () => {
    for (const role of ['analyst', 'operator', 'display', 'health']) {
      const refused = await graphql(url, ISSUE, { day: DAY }, as(role));
      expect(refused.data?.issueBriefing ?? null, role).toBeNull();
      expect(refused.errors?.[0]?.extensions?.code, role).toBe('FORBIDDEN');
    }
    const partner = await graphql(url, ISSUE, { day: DAY }, as('partner'));
    expect(partner.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_ONLY');
    const early = (await graphql(url, ISSUE, { day: '2020-02-10' }, as('commander'))).data!.issueBriefing;
    expect(early).toMatchObject({ __typename: 'ValidationError' });
    expect(await rows(`SELECT COUNT(*)::int AS n FROM "Briefing"`)).toEqual([{ n: 0 }]);
  });

  it('issues number 1, version 1, provisional, with briefingIssued on the events stream', async () => {
    // From the outbox's position before issuing: the stream replays what follows, so nothing is missed whenever it connects.
    const [{ seq: after }] = (await rows<{ seq: string }>(`SELECT COALESCE(MAX(seq), 0)::text AS seq FROM "Event"`)) as [{ seq: string }];
    const client = wsClient(url);
    const events = collect(client, `subscription($after: String) { events(after: $after, types: [BRIEFING_ISSUED]) { type payload } }`, { after }, (d) => d.events);
    try {
      const issued = (await graphql(url, ISSUE, { day: DAY }, as('commander'))).data!.issueBriefing;
      expect(issued).toMatchObject({ __typename: 'BriefingPayload', briefing: { number: 1, version: 1, basis: 'LIVE', provisional: true, approvalVersion: null, printPath: `/briefings/shifanqu/${DAY}/v1` } });
      v1 = issued.briefing;
      const event = await events.waitFor((e) => e.type === 'BRIEFING_ISSUED');
      expect(JSON.parse(event.payload)).toMatchObject({ areaId: 'shifanqu', day: DAY, number: 1, version: 1, asOfSeq: v1.asOfSeq });
    } finally {
      events.dispose();
      await client.dispose();
    }
    // Every report of the day, the late one and the correction included, is below its asOfSeq.
    const [latest] = await rows<{ seq: string }>(`SELECT MAX(seq)::text AS seq FROM "Event" WHERE type LIKE 'checkpointReport:%'`);
    expect(BigInt(v1.asOfSeq) >= BigInt(latest!.seq)).toBe(true);
    expect(v1.headline.day).toMatchObject({ peopleScreened: 100 + 250 + 77, feverCases: 2, vehiclesInspected: 141, reports: 3 });
    const body = await read(1);
    expect(body.status).toBe(200);
    v1Body = body.text;
  });

  it('says what independent queries of the same day say', async () => {
    const b = JSON.parse(v1Body).data.briefing;
    const figures = `{ ${FIGURES} }`;
    const independent = (
      await graphql(
        url,
        `query($day: Date!, $previous: Date!, $from: DateTime!, $to: DateTime!, $dayFrom: DateTime!) {
          zone: zoneSummary(day: $day) { checkpointTotals ${figures} byCheckpointKind { kind checkpoints counts ${figures} } peopleUnderIsolation stock { product { name } produced allocated stock } }
          before: zoneSummary(day: $previous) { checkpointTotals ${figures} }
          curve: checkpointSeries(from: $from, to: $to, bucket: DAY) { start counts { peopleScreened feverCases ${FIGURES} } }
          hours: checkpointSeries(from: $dayFrom, to: $to, bucket: HOUR) { start counts { peopleScreened feverCases } }
          checkpoints(first: 500) { edges { node { slug countsOn(day: $day) ${figures} } } }
          productionLines(first: 500) { edges { node { slug outputOn(day: $day) { produced passedQc } } } }
          reportingCompleteness(day: $day, kinds: [CHECKPOINT]) { sites(first: 500) { slug figures { expected received } missingCount } }
          alerts(raised: { from: $dayFrom, to: $to }) { totalCount }
          meetings(held: { from: $dayFrom, to: $to }) { edges { node { title directives { ordinal } } } }
          tasks(due: { from: $dayFrom, to: $to }) { edges { node { status } } }
          resumptionApplications(first: 500) { edges { node { submittedAt decidedAt status } } }
        }`,
        { day: DAY, previous: PREVIOUS, from: at('2020-01-27', '00:00'), to: at('2020-02-10', '00:00'), dayFrom: at(DAY, '00:00') },
        as('analyst'),
      )
    ).data!;
    const pickFigures = (c: Record<string, number>) => Object.fromEntries(FIGURES.split(' ').map((f) => [f, c[f]]));
    expect(pickFigures(b.headline.day)).toEqual(independent.zone.checkpointTotals);
    expect(b.headline.previousDay).toEqual(independent.before.checkpointTotals);
    expect(b.headline.change.peopleScreened).toBe(independent.zone.checkpointTotals.peopleScreened - independent.before.checkpointTotals.peopleScreened);
    const sum = (key: string) => independent.curve.reduce((s: number, p: { counts: Record<string, number> }) => s + p.counts[key]!, 0);
    expect(b.headline.sinceFirstDay).toEqual(Object.fromEntries(FIGURES.split(' ').map((f) => [f, sum(f)])));
    expect(b.headline.sinceFirstDay.peopleScreened).toBe(40 + 80 + 427); // 20 January's 999 is before the first day
    expect(b.charts.daily.map((p: { peopleScreened: number; feverCases: number }) => [p.peopleScreened, p.feverCases])).toEqual(
      independent.curve.map((p: { counts: { peopleScreened: number; feverCases: number } }) => [p.counts.peopleScreened, p.counts.feverCases]),
    );
    expect(b.charts.hourly.map((p: { peopleScreened: number }) => p.peopleScreened)).toEqual(independent.hours.map((p: { counts: { peopleScreened: number } }) => p.counts.peopleScreened));
    expect(b.byCheckpointKind.map((k: { kind: string; checkpoints: number; counts: unknown }) => ({ kind: k.kind, checkpoints: k.checkpoints, counts: k.counts }))).toEqual(independent.zone.byCheckpointKind);
    const countsOn = new Map(independent.checkpoints.edges.map((e: { node: { slug: string; countsOn: unknown } }) => [e.node.slug, e.node.countsOn]));
    expect(b.sites).toHaveLength(countsOn.size);
    for (const site of b.sites) expect(pickFigures(site.counts), site.checkpointId).toEqual(countsOn.get(site.checkpointId));
    const schedule = new Map(independent.reportingCompleteness.sites.map((s: { slug: string; figures: { expected: number; received: number }; missingCount: number }) => [s.slug, s]));
    for (const site of b.sites) {
      const expected = schedule.get(site.checkpointId) as { figures: { expected: number; received: number }; missingCount: number } | undefined;
      expect([site.expectedPeriods, site.receivedPeriods, site.missingPeriods], site.checkpointId).toEqual(expected ? [expected.figures.expected, expected.figures.received, expected.missingCount] : [0, 0, 0]);
    }
    // Sites that did not report are in the table, with every expected period missing.
    expect(b.sites.find((s: { checkpointId: string }) => s.checkpointId === 'zhongyuan-road-exit')).toMatchObject({ expectedPeriods: 24, receivedPeriods: 1, missingPeriods: 23 });
    expect(b.sites.filter((s: { counts: { reports: number }; missingPeriods: number }) => s.counts.reports === 0 && s.missingPeriods > 0).length).toBeGreaterThan(3);
    const outputOn = new Map(independent.productionLines.edges.map((e: { node: { slug: string; outputOn: unknown } }) => [e.node.slug, e.node.outputOn]));
    expect(b.production.lines.length).toBe(outputOn.size);
    for (const line of b.production.lines) expect({ produced: line.produced, passedQc: line.passedQc }, line.lineId).toEqual(outputOn.get(line.lineId));
    expect(b.production.lines.find((l: { lineId: string }) => l.lineId === 'mingren-mingkang-line-1')).toMatchObject({ produced: 1000, passedQc: 990 });
    expect(b.production.stock.map((s: { name: string; produced: number; allocated: number; stock: number }) => [s.name, s.produced, s.allocated, s.stock])).toEqual(
      independent.zone.stock.map((s: { product: { name: string }; produced: number; allocated: number; stock: number }) => [s.product.name, s.produced, s.allocated, s.stock]),
    );
    expect(b.isolation).toMatchObject({ underIsolation: independent.zone.peopleUnderIsolation, started: 1 });
    expect(b.alerts.raised).toBe(independent.alerts.totalCount);
    expect(b.alerts).toMatchObject({ raised: 2, resolved: 1, openAtDayEnd: 2 });
    expect(b.alerts.raisedToday.map((a: { status: string }) => a.status)).toEqual(['OPEN', 'RESOLVED']);
    expect(b.command.meetings.map((m: { title: string; directives: unknown[] }) => [m.title, m.directives.length])).toEqual(
      independent.meetings.edges.map((e: { node: { title: string; directives: unknown[] } }) => [e.node.title, e.node.directives.length]),
    );
    expect(b.command.meetings.length).toBe(1); // the enlarged Party working-committee meeting of 9 February, 一要…六要
    const tasks = independent.tasks.edges.map((e: { node: { status: string } }) => e.node.status);
    expect(b.command.tasks).toMatchObject({ due: tasks.length, done: tasks.filter((t: string) => t === 'DONE').length });
    expect(b.command.tasks).toMatchObject({ due: 2, done: 1 });
    expect(b.command.tasks.byOwner).toEqual([expect.objectContaining({ owner: '区卫生健康委', due: 2, done: 1 })]);
    const dayStart = Date.parse(at(DAY, '00:00'));
    const dayEnd = Date.parse(at('2020-02-10', '00:00'));
    const inDay = (t: string | null) => !!t && Date.parse(t) >= dayStart && Date.parse(t) < dayEnd;
    const applications = independent.resumptionApplications.edges.map((e: { node: { submittedAt: string; decidedAt: string | null; status: string } }) => e.node);
    expect(b.command.resumption).toMatchObject({
      received: applications.filter((a: { submittedAt: string }) => inDay(a.submittedAt)).length,
      decided: applications.filter((a: { decidedAt: string | null }) => inDay(a.decidedAt)).length,
      approved: 1,
      rejected: 1,
      withinTarget: 1,
      overTarget: 1,
      pendingOverTarget: 1,
      targetWorkingDays: 2,
    });
    expect(b.command.resumption.received).toBe(1);
    expect(b.command.resumption.applications.map((a: { status: string; workingDaysTaken: number | null; withinTarget: boolean | null }) => [a.status, a.workingDaysTaken, a.withinTarget])).toEqual([
      ['SUBMITTED', null, null],
      ['REJECTED', 3, false],
      ['APPROVED', 1, true],
      ['SUBMITTED', null, null],
    ]);
  });

  it('never changes an issued version: reports after it go into version 2 under the same number, version 1 stays byte for byte', async () => {
    const [stored] = await rows<{ content: string; sha: string }>(`SELECT content, "contentSha256" AS sha FROM "Briefing" WHERE version = 1`);
    const pageBefore = await document(`/briefings/shifanqu/${DAY}/v1`);
    expect(pageBefore.status).toBe(200);
    v1Page = await pageBefore.text();
    // Print CSS: A4, the headquarters and the issue number at the top of every page after the first, page numbers at the bottom.
    expect(v1Page).toContain('size: A4;');
    expect(v1Page).toContain('@top-center { content: "示范区（高新区）新型冠状病毒肺炎疫情防控指挥部 · 专题简报 第1期"');
    expect(v1Page).toContain('@bottom-center { content: "第 " counter(page) " 页 / 共 " counter(pages) " 页"');
    await report('fengshou-road', DAY, '12:00', '13:00', { peopleScreened: 55, vehiclesInspected: 5 });
    expect((await read(1)).text).toBe(v1Body);
    const v2 = (await graphql(url, ISSUE, { day: DAY }, as('commander'))).data!.issueBriefing.briefing;
    expect(v2).toMatchObject({ number: 1, version: 2, basis: 'LIVE', headline: { day: { peopleScreened: v1.headline.day.peopleScreened + 55 } } });
    expect(BigInt(v2.asOfSeq) > BigInt(v1.asOfSeq)).toBe(true);
    expect((await read(1)).text).toBe(v1Body);
    expect(JSON.parse((await read(null)).text).data.briefing.version).toBe(2);
    expect(await (await document(`/briefings/shifanqu/${DAY}/v1`)).text()).toBe(v1Page);
    expect(await rows(`SELECT content, "contentSha256" AS sha FROM "Briefing" WHERE version = 1`)).toEqual([stored]);
    // The database refuses to change an issued briefing, whoever asks.
    await expect(rows(`UPDATE "Briefing" SET content = '{}' WHERE version = 1`)).rejects.toThrow(/never changes/);
    await expect(rows(`DELETE FROM "Briefing"`)).rejects.toThrow(/never changes/);
    // Another day gets the next number.
    const next = (await graphql(url, ISSUE, { day: PREVIOUS }, as('commander'))).data!.issueBriefing.briefing;
    expect(next).toMatchObject({ number: 2, version: 1 });
  });

  it('uses the approved figures once the day is signed off, and says so', async () => {
    const approved = (await graphql(url, APPROVE, { areaId: globalId('Area', 'shifanqu'), day: DAY }, as('commander'))).data!.approveDay;
    expect(approved.__typename).toBe('DayApprovalPayload');
    const v3 = (await graphql(url, ISSUE, { day: DAY }, as('commander'))).data!.issueBriefing.briefing;
    expect(v3).toMatchObject({ number: 1, version: 3, basis: 'APPROVED', provisional: false, approvalVersion: 1 });
    const { reports: _reports, ...day } = v3.headline.day;
    expect(day).toEqual(approved.approval.totals.counts);
    const page = await (await document(`/briefings/shifanqu/${DAY}/v3`)).text();
    expect(page).toContain('数据已审核确认（第1版）');
    expect(v1Page).toContain('初步数据，尚未审核确认');
  });

  it('lets partners and displays read issued briefings, with no personal data anywhere', async () => {
    const partner = await read(1, 'partner');
    expect(partner.status).toBe(200);
    expect(partner.text).toBe(v1Body);
    const display = await graphql(url, `{ briefing(day: "${DAY}", version: 1) { number isolation { underIsolation started } } }`, undefined, as('display'));
    expect(display.data!.briefing).toMatchObject({ number: 1, isolation: { started: 1 } });
    const issuer = await graphql(url, `{ briefing(day: "${DAY}") { issuedBy } }`, undefined, as('display'));
    expect(issuer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const list = await graphql(url, `{ briefings(allVersions: true) { day number version basis } }`, undefined, as('display'));
    expect(list.data!.briefings.map((b: { day: string; version: number }) => `${b.day}/v${b.version}`)).toEqual([`${DAY}/v3`, `${DAY}/v2`, `${DAY}/v1`, `${PREVIOUS}/v1`]);
    const page = await document(`/briefings/shifanqu/${DAY}/v1`, 'display');
    expect(page.status).toBe(200);
    const docx = Buffer.from(await (await document(`/briefings/shifanqu/${DAY}/v1.docx`, 'partner')).arrayBuffer());
    const [stored] = await rows<{ content: string }>(`SELECT content FROM "Briefing" WHERE version = 1`);
    for (const text of [partner.text, v1Page, await page.text(), stored!.content, await docxText(docx)]) {
      for (const secret of Object.values(PERSON)) expect(text).not.toContain(secret);
    }
    expect((await fetch(`${server.url}/briefings/shifanqu/${DAY}/v1`)).status).toBe(401);
    expect((await document(`/briefings/shifanqu/${DAY}/v9`, 'display')).status).toBe(404);
  });

  it('serves the .docx with the headline figures in its text', async () => {
    const response = await document(`/briefings/shifanqu/${DAY}/v1.docx`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(response.headers.get('content-disposition')).toContain('.docx');
    const file = Buffer.from(await response.arrayBuffer());
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'briefing-v1.docx'), file);
    const text = await docxText(file);
    const h = v1.headline.day;
    expect(text).toContain('专题简报');
    expect(text).toContain('第1期');
    expect(text).toContain('截至2月9日24时');
    expect(text).toContain(`测温${h.peopleScreened}人`);
    expect(text).toContain(`检查车辆${h.vehiclesInspected}辆`);
    expect(text).toContain(`发现发热人员${h.feverCases}人`);
    expect(text).toContain('中原路高速出口'); // a site that missed periods is in the table
    const english = await docxText(Buffer.from(await (await document(`/briefings/shifanqu/${DAY}/v1.docx?lang=en`)).arrayBuffer()));
    expect(english).toContain(`screened ${h.peopleScreened} people`);
    expect(english).toContain('No. 1');
  });

  it.skipIf(!browserAvailable())('prints in Chromium: A4 PDF with header and page numbers, CJK text, charts, nothing overflowing, nothing fetched', async () => {
    const browser = await launchChromium();
    mkdirSync(artifacts, { recursive: true });
    try {
      const pdfs: Record<string, string> = {};
      for (const lang of ['zh', 'en'] as const) {
        const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${tokens.display}` }, viewport: { width: 1000, height: 1300 } });
        const page = await context.newPage();
        const requests: string[] = [];
        page.on('request', (request) => requests.push(request.url()));
        const response = await page.goto(`${server.url}/briefings/shifanqu/${DAY}/v1${lang === 'en' ? '?lang=en' : ''}`);
        expect(response!.status()).toBe(200);
        expect(requests).toHaveLength(1); // the page itself; no font, script or image
        const layout = await page.evaluate(() => {
          const d = (globalThis as any).document;
          const sheet = d.querySelector('.sheet');
          const overflowing = [...d.querySelectorAll('table, svg, p, h1, h2')].filter((el: any) => el.getBoundingClientRect().right > sheet.getBoundingClientRect().right + 0.5).length;
          return { overflowing, charts: d.querySelectorAll('svg rect').length, title: d.querySelector('h1').textContent, scroll: d.documentElement.scrollWidth <= d.documentElement.clientWidth };
        });
        expect(layout).toMatchObject({ overflowing: 0, scroll: true, title: lang === 'zh' ? '专题简报' : 'Daily Briefing' });
        expect(layout.charts).toBeGreaterThan(24);
        const png = await page.screenshot({ path: join(artifacts, `briefing-${lang}.png`), fullPage: true });
        const stats = await imageStats(browser, png);
        expect(stats.distinctColors).toBeGreaterThan(20);
        await page.emulateMedia({ media: 'print' });
        const pdf = await page.pdf({ path: join(artifacts, `briefing-${lang}.pdf`), preferCSSPageSize: true, printBackground: true });
        const pdfText = pdf.toString('latin1');
        expect(pdfText.startsWith('%PDF-')).toBe(true);
        const pages = pdfText.match(/\/Type\s*\/Page[^s]/g)?.length ?? 0;
        expect(pages).toBeGreaterThanOrEqual(2);
        expect(pdfText).toMatch(/\/MediaBox\s*\[\s*0 0 59[45]\.\d* 841\.\d*/); // A4
        pdfs[lang] = pdfText;
        await context.close();
      }
      // CJK renders: the Chinese PDF embeds a CJK face (not missing-glyph boxes in a Latin font).
      expect(pdfs.zh).toMatch(/\/[A-Z]{6}\+NotoSerifCJK/);
    } finally {
      await browser.close();
    }
  });
});

/** The text of a .docx: its document, headers and footers, tags removed. */
async function docxText(file: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(file);
  const parts = Object.keys(zip.files).filter((name) => /^word\/(document|header\d*|footer\d*)\.xml$/.test(name));
  expect(parts).toContain('word/document.xml');
  const xml = await Promise.all(parts.map((name) => zip.file(name)!.async('string')));
  return xml.join('\n').replace(/<w:tab\/>/g, '\t').replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/,/g, '');
}
