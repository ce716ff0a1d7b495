import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedClock, type TestClock } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { createTestDatabase, postgresReachable, type TestDatabase } from './support/postgres.ts';
import { reportCounts } from './support/reporting.ts';
import { graphql, startServer, type RunningServer } from './support/server.ts';
import { tempDir } from './support/processes.ts';

// A site's history under a list (`checkpoints { reports }`, `productionLines { outputReports }`) is
// paged per site by one statement for the whole list (schema/src/core/history-pages.ts). These tests
// hold every page to the order the API promises, computed here from what the test itself reported:
// newest period first, corrections replacing what they correct, cursors going both ways.

const CHECKPOINTS = { busy: 'yingbin-road-exit', quiet: 'zhongyuan-road-exit' } as const;
const LINE = 'yizhonghong-line-1';
const SLICE_MS = 20 * 60_000;

interface Reported {
  id: string;
  periodStart: string;
  peopleScreened: number;
  current: boolean;
}

const decode = (id: string) => Buffer.from(id, 'base64').toString().split(':')[1]!;
/** The API's order: newest period first, ties by id, newest id first. */
const newestFirst = (a: Reported, b: Reported) => b.periodStart.localeCompare(a.periodStart) || b.id.localeCompare(a.id);

// PostgreSQL where the machine has it (postgresReachable throws under FANGKONG_REQUIRE_POSTGRES=1 without it).
const backends = [{ name: 'embedded database', postgres: false }, ...((await postgresReachable()) ? [{ name: 'PostgreSQL', postgres: true }] : [])];

describe.each(backends)('site histories under a list, on the $name', ({ postgres: onPostgres }) => {
  let server: RunningServer;
  let database: TestDatabase | undefined;
  let dir: ReturnType<typeof tempDir> | undefined;
  let clock: TestClock;
  const reported: Record<string, Reported[]> = { [CHECKPOINTS.busy]: [], [CHECKPOINTS.quiet]: [] };
  const output: Reported[] = [];

  /** Twenty-minute periods going back from the last full hour of the pinned clock. */
  const slice = (i: number) => {
    const hour = Math.floor(clock.now() / 3_600_000) * 3_600_000;
    return { periodStart: new Date(hour - (i + 1) * SLICE_MS).toISOString(), periodEnd: new Date(hour - i * SLICE_MS).toISOString() };
  };
  const truth = (slug: string) => reported[slug]!.filter((r) => r.current).sort(newestFirst);

  beforeAll(async () => {
    clock = pinnedClock('14:30');
    if (onPostgres) {
      database = await createTestDatabase('history_pages');
      server = await startServer({ DATABASE_URL: database.url, FANGKONG_CLOCK_START: clock.start, FANGKONG_TRACE_SQL: '1' });
    } else {
      dir = tempDir('history-pages');
      server = await startServer({ FANGKONG_DATA_DIR: dir.path, FANGKONG_CLOCK_START: clock.start, FANGKONG_TRACE_SQL: '1' });
    }
    const report = async (slug: string, i: number) => {
      const result = await reportCounts(server.graphqlUrl, {
        checkpointId: globalId('Checkpoint', slug),
        ...slice(i),
        idempotencyKey: randomUUID(),
        peopleScreened: 100 + i,
      });
      expect(result.__typename).toBe('CheckpointReportPayload');
      reported[slug]!.push({ id: decode(result.report.id), periodStart: slice(i).periodStart, peopleScreened: 100 + i, current: true });
    };
    for (let i = 0; i < 17; i++) await report(CHECKPOINTS.busy, i);
    for (let i = 0; i < 2; i++) await report(CHECKPOINTS.quiet, i);
    // Three corrections: the corrected versions leave the current list, the corrections take their place.
    for (const i of [0, 5, 16]) {
      const original = reported[CHECKPOINTS.busy]![i]!;
      const { data, errors } = await graphql(
        server.graphqlUrl,
        `mutation($id: ID!, $key: String!) { correctCheckpointReport(reportId: $id, idempotencyKey: $key, reason: "recount", input: { peopleScreened: 7 }) {
          __typename ... on CheckpointReportPayload { report { id periodStart } } } }`,
        { id: globalId('CheckpointReport', original.id), key: randomUUID() },
      );
      expect(errors).toBeUndefined();
      expect(data!.correctCheckpointReport.__typename).toBe('CheckpointReportPayload');
      original.current = false;
      reported[CHECKPOINTS.busy]!.push({ id: decode(data!.correctCheckpointReport.report.id), periodStart: original.periodStart, peopleScreened: 7, current: true });
    }
    for (let i = 0; i < 6; i++) {
      const { data, errors } = await graphql(
        server.graphqlUrl,
        `mutation($input: ReportProductionOutputInput!) { reportProductionOutput(input: $input) { __typename ... on OutputReportPayload { report { id } } ... on Error { message } } }`,
        { input: { lineId: globalId('ProductionLine', LINE), ...slice(i), produced: 1000 + i, passedQc: 990, idempotencyKey: randomUUID() } },
      );
      expect(errors).toBeUndefined();
      expect(data!.reportProductionOutput.__typename, JSON.stringify(data)).toBe('OutputReportPayload');
      output.push({ id: decode(data!.reportProductionOutput.report.id), periodStart: slice(i).periodStart, peopleScreened: 1000 + i, current: true });
    }
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
    dir?.remove();
  });

  const page = async (args: string, fields = 'totalCount') => {
    const { data, errors, extensions } = await graphql(
      server.graphqlUrl,
      `{ checkpoints(first: 8) { edges { node { slug lastReportAt
          reports(${args}) { ${fields} pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id periodStart peopleScreened } } } } } } }`,
    );
    expect(errors).toBeUndefined();
    const bySlug = new Map<string, any>(data!.checkpoints.edges.map((e: any) => [e.node.slug, e.node]));
    return { bySlug, statements: extensions?.sqlStatements as number };
  };
  const ids = (connection: any) => connection.edges.map((e: any) => decode(e.node.id));

  it('gives every site of a page its own latest reports and count, corrections in place of what they corrected', async () => {
    const { bySlug } = await page('first: 4');
    for (const slug of Object.values(CHECKPOINTS)) {
      const expected = truth(slug);
      const node = bySlug.get(slug);
      expect(ids(node.reports)).toEqual(expected.slice(0, 4).map((r) => r.id));
      expect(node.reports.totalCount).toBe(expected.length);
      expect(node.reports.pageInfo.hasNextPage).toBe(expected.length > 4);
      expect(node.reports.pageInfo.hasPreviousPage).toBe(false);
      expect(node.lastReportAt).toBe(slice(0).periodEnd);
    }
    // Sites without reports have an empty page, a zero count and no last report.
    const silent = bySlug.get('lubao-market');
    expect(silent.reports).toMatchObject({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false } });
    expect(silent.lastReportAt).toBeNull();
  });

  it('pages forward with after to the end and back with before, each report once', async () => {
    const expected = truth(CHECKPOINTS.busy).map((r) => r.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 10; pages++) {
      const { bySlug } = await page(after ? `first: 5, after: "${after}"` : 'first: 5');
      const reports = bySlug.get(CHECKPOINTS.busy).reports;
      seen.push(...ids(reports));
      expect(reports.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!reports.pageInfo.hasNextPage) break;
      after = reports.pageInfo.endCursor;
    }
    expect(seen).toEqual(expected);

    const { bySlug: first } = await page('first: 10');
    const tenth = first.get(CHECKPOINTS.busy).reports.edges[9].cursor;
    const { bySlug: back } = await page(`last: 4, before: "${tenth}"`);
    const reports = back.get(CHECKPOINTS.busy).reports;
    expect(ids(reports)).toEqual(expected.slice(5, 9));
    expect(reports.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
  });

  it('lists replaced versions when asked, and filters by period', async () => {
    const all = reported[CHECKPOINTS.busy]!.slice().sort(newestFirst);
    const { bySlug } = await page('first: 50, includeSuperseded: true');
    expect(ids(bySlug.get(CHECKPOINTS.busy).reports)).toEqual(all.map((r) => r.id));
    expect(bySlug.get(CHECKPOINTS.busy).reports.totalCount).toBe(20);

    const from = slice(9).periodStart;
    const to = slice(3).periodStart;
    const { bySlug: window } = await page(`first: 50, period: { from: "${from}", to: "${to}" }`);
    const inWindow = truth(CHECKPOINTS.busy).filter((r) => r.periodStart >= from && r.periodStart < to);
    expect(inWindow).toHaveLength(6);
    expect(ids(window.get(CHECKPOINTS.busy).reports)).toEqual(inWindow.map((r) => r.id));
    expect(window.get(CHECKPOINTS.busy).reports.totalCount).toBe(6);
  });

  it('costs the same statements for a page of one site and a page of eight', async () => {
    const statements = async (first: number) =>
      (await graphql(server.graphqlUrl, `{ checkpoints(first: ${first}) { edges { node { lastReportAt reports(first: 3) { totalCount edges { node { id } } } } } } }`)).extensions
        ?.sqlStatements as number;
    const one = await statements(1);
    expect(one).toBeGreaterThan(0);
    expect(await statements(8)).toBe(one);
  });

  it("pages a production line's output the same way", async () => {
    const expected = output.slice().sort(newestFirst);
    const { data, errors } = await graphql(
      server.graphqlUrl,
      `{ productionLines(first: 50) { edges { node { slug outputReports(first: 4) { totalCount pageInfo { hasNextPage } edges { node { id produced } } } } } } }`,
    );
    expect(errors).toBeUndefined();
    const line = data!.productionLines.edges.find((e: any) => e.node.slug === LINE).node;
    expect(line.outputReports.edges.map((e: any) => decode(e.node.id))).toEqual(expected.slice(0, 4).map((r) => r.id));
    expect(line.outputReports.edges.map((e: any) => e.node.produced)).toEqual(expected.slice(0, 4).map((r) => r.peopleScreened));
    expect(line.outputReports).toMatchObject({ totalCount: 6, pageInfo: { hasNextPage: true } });
  });

  it('refuses a cursor that is not one', async () => {
    const { errors } = await graphql(server.graphqlUrl, `{ checkpoints(first: 1) { edges { node { reports(first: 2, after: "bm90LWEtY3Vyc29y") { totalCount } } } } }`);
    expect(errors?.[0]?.message).toMatch(/cursor/i);
  });
});
