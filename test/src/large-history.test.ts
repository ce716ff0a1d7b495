import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliDatabase, pgliteDatabase, postgresDatabase } from './support/cli.ts';
import { globalId } from './support/ids.ts';
import { postgresReachable } from './support/postgres.ts';
import { createToken, graphql, type GraphQLResponse, type RunningServer, startServer } from './support/server.ts';

// Issue 13: a read that does not return more must not read more as history grows. One checkpoint
// holds a long simulated history and one area holds many simulated checkpoints; every nested page
// must fetch at most first + 1 rows per parent, in as many statements as with no history at all.
// The server counts both (FANGKONG_TRACE_SQL: extensions.sqlStatements and extensions.sqlRows).

const CLOCK_START = '2020-02-07T10:30:00+08:00';
/** The periods end here, the last full hour of the pinned clock, and go back an hour each. */
const LAST_HOUR_END = '2020-02-07T10:00:00+08:00';
const BUSY = 'yingbin-road-exit';
const HISTORY = 50_000;
const EXTRA_CHECKPOINTS = 2_000;

/** Hourly simulated reports of the busy checkpoint, newest ending at LAST_HOUR_END: one statement. */
const LONG_HISTORY = `
  INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "peopleScreened", source, "reportedBy")
  SELECT 'long-history-' || h, '${BUSY}', timestamptz '${LAST_HOUR_END}' - (h + 1) * interval '1 hour',
         timestamptz '${LAST_HOUR_END}' - h * interval '1 hour', h, 'SIMULATED', 'test:simulated history'
  FROM generate_series(0, ${HISTORY - 1}) AS h`;

/** Simulated checkpoints placed in the busy checkpoint's area (this test's database only). */
const MANY_CHECKPOINTS = `
  INSERT INTO "Checkpoint" (id, name, "nameEn", kind, "areaId", "reportIntervalMinutes")
  SELECT 'simulated-' || lpad(n::text, 5, '0'), '模拟检查点' || n, 'Simulated checkpoint ' || n, 'ROAD',
         (SELECT "areaId" FROM "Checkpoint" WHERE id = '${BUSY}'), 60
  FROM generate_series(1, ${EXTRA_CHECKPOINTS}) AS n`;

type Costed = GraphQLResponse & { statements: number; rows: number };

// PostgreSQL where the machine has it (postgresReachable throws under FANGKONG_REQUIRE_POSTGRES=1 without it).
const backends = [{ name: 'embedded database', open: pgliteDatabase }, ...((await postgresReachable()) ? [{ name: 'PostgreSQL', open: () => postgresDatabase('large_history') }] : [])];

describe.each(backends)('reads over a long history, on the $name', ({ open }) => {
  let db: CliDatabase;
  let server: RunningServer;
  let token: string;

  const ask = async (query: string): Promise<Costed> => {
    const response = await graphql(server.graphqlUrl, query, undefined, { authorization: `Bearer ${token}` });
    expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
    expect(response.status).toBe(200);
    return { ...response, statements: response.extensions!.sqlStatements as number, rows: response.extensions!.sqlRows as number };
  };

  beforeAll(async () => {
    db = await open();
    const seeded = await db.cli(['db:seed']);
    expect(seeded.code, seeded.stderr).toBe(0);
    await db.inspect(async (sql) => {
      await sql(LONG_HISTORY);
      await sql(MANY_CHECKPOINTS);
    });
    token = await createToken(db.env, 'analyst');
    server = await startServer({ ...db.env, FANGKONG_CLOCK_START: CLOCK_START, FANGKONG_TRACE_SQL: '1' });
    // Seeding, 52,000 rows and a server start: on the embedded database under a loaded machine, more than the default.
  }, 240_000);

  afterAll(async () => {
    await server?.stop();
    await db?.dispose();
  });

  it("pages each checkpoint's reports with first + 1 rows at most, in the statements of a page of one", async () => {
    const page = (first: number) =>
      ask(`{ checkpoints(first: ${first}) { edges { node { slug reports(first: 3) { pageInfo { hasNextPage } edges { node { periodEnd peopleScreened } } } } } } }`);
    const one = await page(1);
    const eight = await page(8);
    expect(eight.statements).toBe(one.statements);
    const nodes = eight.data!.checkpoints.edges.map((e: { node: unknown }) => e.node) as { slug: string; reports: { pageInfo: { hasNextPage: boolean }; edges: { node: { periodEnd: string; peopleScreened: number } }[] } }[];
    expect(nodes).toHaveLength(8);
    const busy = nodes.find((n) => n.slug === BUSY)!;
    // The newest three of the simulated history, newest first.
    expect(busy.reports.edges.map((e) => e.node.peopleScreened)).toEqual([0, 1, 2]);
    expect(new Date(busy.reports.edges[0]!.node.periodEnd).getTime()).toBe(Date.parse(LAST_HOUR_END));
    expect(busy.reports.pageInfo.hasNextPage).toBe(true);
    // 8 checkpoints, at most 4 reports each, and the few rows of the statements around them.
    expect(eight.rows).toBeLessThanOrEqual(8 + 8 * 4 + 10);
  });

  it('pages back from a cursor deep in the history without reading the rest', async () => {
    const first = await ask(`{ checkpoint: node(id: "${globalId('Checkpoint', BUSY)}") { ... on Checkpoint { reports(first: 500) { pageInfo { endCursor } } } } }`);
    const after = first.data!.checkpoint.reports.pageInfo.endCursor as string;
    const next = await ask(`{ checkpoint: node(id: "${globalId('Checkpoint', BUSY)}") { ... on Checkpoint { reports(first: 2, after: "${after}") { edges { node { peopleScreened } } } } } }`);
    expect(next.data!.checkpoint.reports.edges.map((e: { node: { peopleScreened: number } }) => e.node.peopleScreened)).toEqual([500, 501]);
    expect(next.rows).toBeLessThanOrEqual(3 + 10);
  });

  it('reads lastReportAt and isStale from one row per checkpoint', async () => {
    const response = await ask(`{ checkpoints(first: 8) { edges { node { slug lastReportAt isStale } } } }`);
    const busy = response.data!.checkpoints.edges.find((e: { node: { slug: string } }) => e.node.slug === BUSY).node;
    expect(new Date(busy.lastReportAt).getTime()).toBe(Date.parse(LAST_HOUR_END));
    // Reported up to 10:00, an hourly site is not stale at 10:30.
    expect(busy.isStale).toBe(false);
    expect(response.rows).toBeLessThanOrEqual(8 + 8 + 10);
  });

  it("counts a checkpoint's whole history for totalCount, returning one row", async () => {
    const response = await ask(`{ checkpoint: node(id: "${globalId('Checkpoint', BUSY)}") { ... on Checkpoint { reports(first: 1) { totalCount } } } }`);
    expect(response.data!.checkpoint.reports.totalCount).toBe(HISTORY);
    expect(response.rows).toBeLessThanOrEqual(1 + 1 + 1 + 10);
  });

  it("pages an area's checkpoints with first + 1 rows per area, however many the area holds", async () => {
    const page = (first: number) =>
      ask(`{ areas(first: 8) { edges { node { slug checkpoints(first: ${first}) { totalCount pageInfo { hasNextPage } edges { node { slug } } } } } } }`);
    const two = await page(2);
    const nodes = two.data!.areas.edges.map((e: { node: unknown }) => e.node) as { slug: string; checkpoints: { totalCount: number; pageInfo: { hasNextPage: boolean }; edges: unknown[] } }[];
    const crowded = nodes.find((n) => n.checkpoints.totalCount > EXTRA_CHECKPOINTS);
    expect(crowded, 'the area holding the simulated checkpoints is on the page').toBeDefined();
    expect(crowded!.checkpoints.edges).toHaveLength(2);
    expect(crowded!.checkpoints.pageInfo.hasNextPage).toBe(true);
    // 8 areas, at most 3 checkpoints each, one count row per area, and a few around them.
    expect(two.rows).toBeLessThanOrEqual(8 + 8 * 3 + 8 + 10);
    expect((await page(20)).statements).toBe(two.statements);
  });

  it("pages on through an area's checkpoints by id with after, and back with before", async () => {
    const area = async (args: string) =>
      (await ask(`{ checkpoint: node(id: "${globalId('Checkpoint', BUSY)}") { ... on Checkpoint { area { checkpoints(${args}) { pageInfo { startCursor endCursor } edges { node { slug } } } } } } }`)).data!
        .checkpoint.area.checkpoints as { pageInfo: { startCursor: string; endCursor: string }; edges: { node: { slug: string } }[] };
    const slugs = (page: { edges: { node: { slug: string } }[] }) => page.edges.map((e) => e.node.slug);
    const first = await area('first: 5');
    const next = await area(`first: 5, after: "${first.pageInfo.endCursor}"`);
    const both = [...slugs(first), ...slugs(next)];
    expect(both).toEqual([...both].sort());
    expect(new Set(both).size).toBe(10);
    const back = await area(`last: 5, before: "${next.pageInfo.startCursor}"`);
    expect(slugs(back)).toEqual(slugs(first));
  });
});
