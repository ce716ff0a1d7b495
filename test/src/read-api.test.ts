import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from './support/ids.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { pnpm, tempDir } from './support/processes.ts';
import { graphql, startServer, type RunningServer } from './support/server.ts';

const COUNT_FIELDS = 'vehiclesInspected peopleScreened feverCases hubeiLinked referred disinfections reports simulatedReports';
type Counts = Record<'vehiclesInspected' | 'peopleScreened' | 'feverCases' | 'hubeiLinked' | 'referred' | 'disinfections' | 'reports' | 'simulatedReports', number>;

const sum = (rows: Counts[]): Counts =>
  rows.reduce(
    (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, a[k as keyof Counts] + b[k as keyof Counts]])) as Counts,
    { vehiclesInspected: 0, peopleScreened: 0, feverCases: 0, hubeiLinked: 0, referred: 0, disinfections: 0, reports: 0, simulatedReports: 0 },
  );

/** The data of a response that must succeed, with the response's extensions beside it. */
async function ok(url: string, q: string, variables?: Record<string, unknown>): Promise<any> {
  const response = await graphql(url, q, variables);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return { ...response.data, __extensions: response.extensions };
}

describe('read API on the embedded database with the seeded history', () => {
  const dir = tempDir();
  let server: RunningServer;
  let url: string;

  beforeAll(async () => {
    const seeded = await pnpm(['db:seed', '--history'], { FANGKONG_DATA_DIR: dir.path });
    expect(seeded.code, seeded.stderr).toBe(0);
    // The clock starts inside the seeded story, so "today" is 7 Feb 2020 in Asia/Shanghai.
    server = await startServer({ FANGKONG_DATA_DIR: dir.path, FANGKONG_TRACE_SQL: '1', FANGKONG_CLOCK_START: '2020-02-07T10:30:00+08:00' });
    url = server.graphqlUrl;
  });

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  describe('pagination', () => {
    it('pages through checkpoints with cursors and a total', async () => {
      const page = `query($after: String) { checkpoints(first: 3, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id slug } } } }`;
      const seen: string[] = [];
      let after: string | null = null;
      let total = 0;
      for (let i = 0; i < 10; i++) {
        const data: any = await ok(url, page, { after });
        total = data.checkpoints.totalCount;
        seen.push(...data.checkpoints.edges.map((e: any) => e.node.slug));
        if (!data.checkpoints.pageInfo.hasNextPage) break;
        after = data.checkpoints.pageInfo.endCursor;
      }
      expect(total).toBeGreaterThanOrEqual(8);
      expect(seen).toHaveLength(total);
      expect(new Set(seen).size).toBe(total);
      expect(seen).toEqual(expect.arrayContaining(['yingbin-road-exit', 'zhongyuan-road-exit', 'fengshou-road']));
    });

    it('returns 50 by default and refuses more than 500 per page', async () => {
      const data: any = await ok(url, `{ areas { edges { node { id } } } }`);
      expect(data.areas.edges.length).toBeLessThanOrEqual(50);
      const tooMany = await graphql(url, `{ checkpoints(first: 501) { edges { node { id } } } }`);
      expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(tooMany.errors?.[0]?.message).toMatch(/first: at most 500/);
    });
  });

  describe('filters', () => {
    it('filters checkpoints by kind and by area subtree', async () => {
      const exits: any = await ok(url, `{ checkpoints(kinds: [EXPRESSWAY_EXIT]) { totalCount edges { node { slug kind } } } }`);
      expect(exits.checkpoints.edges.map((e: any) => e.node.slug).sort()).toEqual(['yingbin-road-exit', 'zhongyuan-road-exit']);
      const inCommunity: any = await ok(url, `query($a: ID!) { checkpoints(within: $a) { edges { node { slug area { slug path } } } } }`, {
        a: globalId('Area', 'zhulinlu'),
      });
      const slugs = inCommunity.checkpoints.edges.map((e: any) => e.node.slug);
      expect(slugs).toEqual(expect.arrayContaining(['linxigu-gate']));
      expect(slugs).not.toContain('yingbin-road-exit');
      for (const e of inCommunity.checkpoints.edges) expect(e.node.area.path).toContain('/zhulinlu/');
    });

    it('lists the areas below an area, at any depth', async () => {
      const data: any = await ok(url, `query($a: ID!) { areas(within: $a) { totalCount edges { node { slug level } } } }`, { a: globalId('Area', 'liwan') });
      const slugs = data.areas.edges.map((e: any) => e.node.slug);
      expect(slugs).toContain('zhulinlu');
      expect(slugs).toContain('changlv-linxigu');
      expect(slugs).not.toContain('liwan');
      expect(data.areas.totalCount).toBe(slugs.length);
    });
  });

  describe('nodes', () => {
    it('fetches any object by global ID, one or several', async () => {
      const id = globalId('Checkpoint', 'yingbin-road-exit');
      const data: any = await ok(url, `query($id: ID!, $ids: [ID!]!) { node(id: $id) { id ... on Checkpoint { name } } nodes(ids: $ids) { id } }`, {
        id,
        ids: [id, globalId('ProductionLine', 'yizhonghong-line-1')],
      });
      expect(data.node).toEqual({ id, name: '迎宾路高速出口' });
      expect(data.nodes.map((n: any) => n.id)).toEqual([id, globalId('ProductionLine', 'yizhonghong-line-1')]);
    });
  });

  describe('aggregates', () => {
    it('agrees with itself: zone totals = Σ checkpoints that day = Σ hourly buckets = the daily bucket', async () => {
      const data: any = await ok(
        url,
        `{ zoneSummary(day: "2020-02-07") { day dayStart dayEnd checkpointTotals { ${COUNT_FIELDS} } byCheckpointKind { kind counts { ${COUNT_FIELDS} } } }
           checkpoints(first: 500) { edges { node { countsOn(day: "2020-02-07") { ${COUNT_FIELDS} } today { ${COUNT_FIELDS} } } } }
           hours: checkpointSeries(from: "2020-02-07T00:00:00+08:00", to: "2020-02-08T00:00:00+08:00", bucket: HOUR) { start counts { ${COUNT_FIELDS} } }
           days: checkpointSeries(from: "2020-02-06T00:00:00+08:00", to: "2020-02-09T00:00:00+08:00", bucket: DAY) { start counts { ${COUNT_FIELDS} } } }`,
      );
      const summary = data.zoneSummary;
      expect(summary.dayStart).toBe('2020-02-06T16:00:00.000Z');
      expect(summary.dayEnd).toBe('2020-02-07T16:00:00.000Z');
      expect(summary.checkpointTotals.peopleScreened).toBeGreaterThan(0);
      expect(summary.checkpointTotals.simulatedReports).toBe(summary.checkpointTotals.reports);
      const perCheckpoint = data.checkpoints.edges.map((e: any) => e.node.countsOn);
      expect(sum(perCheckpoint)).toEqual(summary.checkpointTotals);
      // The clock says 7 Feb, so "today" is the same day.
      expect(sum(data.checkpoints.edges.map((e: any) => e.node.today))).toEqual(summary.checkpointTotals);
      expect(sum(summary.byCheckpointKind.map((k: any) => k.counts))).toEqual(summary.checkpointTotals);
      expect(data.hours).toHaveLength(24);
      expect(data.hours[0].start).toBe('2020-02-06T16:00:00.000Z');
      expect(sum(data.hours.map((h: any) => h.counts))).toEqual(summary.checkpointTotals);
      expect(data.days.map((d: any) => d.start)).toEqual(['2020-02-05T16:00:00.000Z', '2020-02-06T16:00:00.000Z', '2020-02-07T16:00:00.000Z']);
      expect(data.days[1].counts).toEqual(summary.checkpointTotals);
    });

    it("follows the masks' story: nothing from 亿中弘 before 7 Feb, output against capacity after", async () => {
      const data: any = await ok(
        url,
        `query($line: ID!) { before: productionSeries(lines: [$line], from: "2020-01-27T00:00:00+08:00", to: "2020-02-07T00:00:00+08:00", bucket: DAY) { output { produced } }
          after: productionSeries(lines: [$line], from: "2020-02-07T00:00:00+08:00", to: "2020-02-10T00:00:00+08:00", bucket: DAY) { output { produced passedQc } }
          feb8: zoneSummary(day: "2020-02-08") { production { masks { produced passedQc ratedCapacity linesProducing } byProduct { product { slug } figures { produced } } } stock { product { slug } produced allocated stock } } }`,
        { line: globalId('ProductionLine', 'yizhonghong-line-1') },
      );
      expect(data.before).toHaveLength(11);
      expect(data.before.every((p: any) => p.output.produced === 0)).toBe(true);
      expect(data.after.some((p: any) => p.output.produced > 0)).toBe(true);
      for (const p of data.after) expect(p.output.passedQc).toBeLessThanOrEqual(p.output.produced);
      const masks = data.feb8.production.masks;
      expect(masks.produced).toBeGreaterThan(0);
      expect(masks.ratedCapacity).toBeGreaterThan(0);
      const maskProducts = data.feb8.production.byProduct.filter((p: any) => /mask/.test(p.product.slug));
      expect(maskProducts.reduce((a: number, p: any) => a + p.figures.produced, 0)).toBe(masks.produced);
      for (const s of data.feb8.stock) expect(s.stock).toBe(s.produced - s.allocated);
    });

    it('names id arguments …Id and …Ids throughout; the earlier names still answer the same, deprecated', async () => {
      const line = globalId('ProductionLine', 'yizhonghong-line-1');
      const mask = globalId('Product', 'medical-mask');
      const range = 'from: "2020-02-07T00:00:00+08:00", to: "2020-02-10T00:00:00+08:00", bucket: DAY';
      const data: any = await ok(
        url,
        `query($line: ID!, $mask: ID!, $checkpoint: ID!) {
          byLineIds: productionSeries(lineIds: [$line], ${range}) { output { produced } }
          byLines: productionSeries(lines: [$line], ${range}) { output { produced } }
          byProductId: productionSeries(productId: $mask, ${range}) { output { produced } }
          byProduct: productionSeries(product: $mask, ${range}) { output { produced } }
          byCheckpointIds: checkpointSeries(checkpointIds: [$checkpoint], ${range}) { counts { peopleScreened } }
          byCheckpoints: checkpointSeries(checkpoints: [$checkpoint], ${range}) { counts { peopleScreened } }
          linesNow: productionLines(productId: $mask) { totalCount }
          linesBefore: productionLines(product: $mask) { totalCount }
          allocationsNow: allocations(productId: $mask) { totalCount }
          allocationsBefore: allocations(product: $mask) { totalCount } }`,
        { line, mask, checkpoint: globalId('Checkpoint', 'yingbin-road-exit') },
      );
      expect(data.byLineIds.some((p: any) => p.output.produced > 0)).toBe(true);
      expect(data.byLines).toEqual(data.byLineIds);
      expect(data.byProductId.some((p: any) => p.output.produced > 0)).toBe(true);
      expect(data.byProduct).toEqual(data.byProductId);
      expect(data.byCheckpoints).toEqual(data.byCheckpointIds);
      expect(data.linesNow.totalCount).toBeGreaterThan(0);
      expect(data.linesBefore).toEqual(data.linesNow);
      expect(data.allocationsBefore).toEqual(data.allocationsNow);
    });

    it('issues a number of SQL statements that does not grow with the page size', async () => {
      const deep = (first: number) =>
        `{ areas(first: ${first}) { edges { node { name checkpoints(first: 50) { totalCount edges { node { name today { peopleScreened } lastReportAt isStale
             reports(first: 3) { edges { node { peopleScreened periodStart } } } } } } } } } }`;
      const small = await ok(url, deep(1));
      const large = await ok(url, deep(50));
      const smallCount = small.__extensions.sqlStatements;
      const largeCount = large.__extensions.sqlStatements;
      expect(smallCount).toBeGreaterThan(0);
      expect(largeCount).toBe(smallCount);
      const checkpointsSmall = await ok(url, `{ checkpoints(first: 1) { edges { node { today { feverCases } lastReportAt isStale area { name } staffingDepartments { name } } } } }`);
      const checkpointsLarge = await ok(url, `{ checkpoints(first: 50) { edges { node { today { feverCases } lastReportAt isStale area { name } staffingDepartments { name } } } } }`);
      expect(checkpointsLarge.__extensions.sqlStatements).toBe(checkpointsSmall.__extensions.sqlStatements);
    });
  });

  it('answers a request with neither a query nor a documentId with 400 and what to send', async () => {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}` }, body: '{}' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]).toMatchObject({ message: 'send a query, or the documentId of a persisted operation', extensions: { code: 'BAD_REQUEST' } });
  });

  it('answers null for a well-formed id that names nothing, alone or in a list', async () => {
    const missing = globalId('Checkpoint', 'no-such-checkpoint');
    const present = globalId('Checkpoint', 'yingbin-road-exit');
    const response = await graphql(url, `query($m: ID!, $p: ID!) { node(id: $m) { id } nodes(ids: [$p, $m]) { id } }`, { m: missing, p: present });
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ node: null, nodes: [{ id: present }, null] });
  });

  describe('bad input gets a clear, coded error', () => {
    const cases: [string, string, Record<string, unknown> | undefined, string, RegExp][] = [
      ['an invalid global ID', `query($id: ID!) { node(id: $id) { id } }`, { id: 'not-a-global-id' }, 'BAD_USER_INPUT', /./],
      ['an unknown enum value in variables', `query($k: [CheckpointKind!]) { checkpoints(kinds: $k) { totalCount } }`, { k: ['AIRPORT'] }, 'BAD_USER_INPUT', /AIRPORT/],
      ['an unknown enum value in the document', `{ checkpoints(kinds: [AIRPORT]) { totalCount } }`, undefined, 'GRAPHQL_VALIDATION_FAILED', /AIRPORT/],
      ['to before from', `{ checkpointSeries(from: "2020-02-07T00:00:00+08:00", to: "2020-02-06T00:00:00+08:00", bucket: HOUR) { start } }`, undefined, 'BAD_USER_INPUT', /to: must be after from/],
      ['a range over 400 days', `{ checkpointSeries(from: "2019-01-01T00:00:00+08:00", to: "2020-02-06T00:00:00+08:00", bucket: DAY) { start } }`, undefined, 'BAD_USER_INPUT', /at most 400/],
      ['more than 10,000 buckets', `{ productionSeries(from: "2019-01-01T00:00:00+08:00", to: "2020-02-25T00:00:00+08:00", bucket: HOUR) { start } }`, undefined, 'BAD_USER_INPUT', /10080 buckets; at most 10000/],
      ['an impossible date', `{ zoneSummary(day: "2020-02-30") { day } }`, undefined, 'BAD_USER_INPUT', /calendar date/],
      ['a series in year 0001', `{ checkpointSeries(from: "0001-01-01T00:00:00Z", to: "0001-01-02T00:00:00Z", bucket: HOUR) { start } }`, undefined, 'BAD_USER_INPUT', /outside the years 1900–9999/],
      ['a date-time without offset', `{ checkpointSeries(from: "2020-02-07 00:00", to: "2020-02-08T00:00:00Z", bucket: HOUR) { start } }`, undefined, 'BAD_USER_INPUT', /ISO 8601/],
      ['a cursor that is not one', `{ checkpoints(after: "garbage") { totalCount } }`, undefined, 'BAD_USER_INPUT', /./],
      ['a renamed argument under both names', `{ productionLines(productId: "UHJvZHVjdDptZWRpY2FsLW1hc2s=", product: "UHJvZHVjdDptZWRpY2FsLW1hc2s=") { totalCount } }`, undefined, 'BAD_USER_INPUT', /give productId or product \(deprecated\), not both/],
    ];
    it.each(cases)('%s', async (_name, q, variables, code, message) => {
      const response = await graphql(url, q, variables);
      expect(response.errors?.length, JSON.stringify(response)).toBeGreaterThan(0);
      expect(response.errors![0]!.extensions?.code).toBe(code);
      expect(response.errors![0]!.message).toMatch(message);
      expect(response.errors![0]!.message).not.toMatch(/Unexpected error/);
    });

    it('logs none of these mistakes as a server error, nor echoes them', () => {
      const errors = server
        .output()
        .split('\n')
        .filter((line) => line.includes('"level":"error"'));
      expect(errors).toEqual([]);
      expect(server.output()).not.toContain('AIRPORT');
      expect(server.output()).not.toContain('garbage');
    });
  });

  it('serves GraphiQL on the example operations, and health and readiness', async () => {
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    expect(html).toContain('ZoneToday');
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'alive' });
    expect(await (await fetch(`${server.url}/ready`)).json()).toMatchObject({ status: 'ready', database: 'pglite' });
  });
});

describe.skipIf(!(await postgresReachable()))('read API on PostgreSQL against hand-computed figures', () => {
  let database: TestDatabase;
  let server: RunningServer;
  let url: string;
  const env = () => ({ DATABASE_URL: database.url });

  beforeAll(async () => {
    database = await createTestDatabase('read_api');
    const seeded = await pnpm(['db:seed', '--history'], env());
    expect(seeded.code, seeded.stderr).toBe(0);
    // Hand-made reports around the local midnight that ends 10 Feb 2020 (16:00 UTC), after the history.
    const insert = `INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "peopleScreened", "feverCases", "vehiclesInspected", source, "reportedBy", "supersededAt", "supersedesId")
                    VALUES ($1, 'fengshou-road', $2, $3, $4, $5, $6, 'MANUAL', 'test', $7, $8)`;
    await query(database.url, insert, ['t-last-minute', '2020-02-10 15:59:00', '2020-02-10 16:00:00', 7, 1, 3, null, null]);
    await query(database.url, insert, ['t-midnight', '2020-02-10 16:00:00', '2020-02-10 17:00:00', 11, 0, 5, null, null]);
    await query(database.url, insert, ['t-original', '2020-02-10 02:00:00', '2020-02-10 03:00:00', 100, 2, 40, '2020-02-10 05:00:00', null]);
    await query(database.url, insert, ['t-correction', '2020-02-10 02:00:00', '2020-02-10 03:00:00', 90, 1, 40, null, 't-original']);
    server = await startServer({ ...env(), FANGKONG_CLOCK_START: '2020-02-10T12:00:00+08:00' });
    url = server.graphqlUrl;
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('puts a report at 23:59 in its day and one at 00:00 in the next, counting a correction once', async () => {
    const data: any = await ok(
      url,
      `{ feb10: zoneSummary(day: "2020-02-10") { checkpointTotals { peopleScreened feverCases vehiclesInspected reports } }
         feb11: zoneSummary(day: "2020-02-11") { checkpointTotals { peopleScreened feverCases vehiclesInspected reports } } }`,
    );
    expect(data.feb10.checkpointTotals).toEqual({ peopleScreened: 7 + 90, feverCases: 1 + 1, vehiclesInspected: 3 + 40, reports: 2 });
    expect(data.feb11.checkpointTotals).toEqual({ peopleScreened: 11, feverCases: 0, vehiclesInspected: 5, reports: 1 });
  });

  it('keeps the superseded version in history but not in totals', async () => {
    const data: any = await ok(
      url,
      `query($id: ID!) { node(id: $id) { ... on Checkpoint { today { peopleScreened } all: reports(includeSuperseded: true, period: { from: "2020-02-10T00:00:00+08:00", to: "2020-02-11T00:00:00+08:00" }) { totalCount }
        current: reports(period: { from: "2020-02-10T00:00:00+08:00", to: "2020-02-11T00:00:00+08:00" }) { totalCount edges { node { peopleScreened supersedes { peopleScreened } } } } } } }`,
      { id: globalId('Checkpoint', 'fengshou-road') },
    );
    expect(data.node.today.peopleScreened).toBe(97);
    expect(data.node.all.totalCount).toBe(3);
    expect(data.node.current.totalCount).toBe(2);
    const corrected = data.node.current.edges.find((e: any) => e.node.supersedes);
    expect(corrected.node).toEqual({ peopleScreened: 90, supersedes: { peopleScreened: 100 } });
  });

  it('matches totals computed independently in SQL for a seeded day', async () => {
    const [expected] = await query(
      database.url,
      `SELECT SUM("peopleScreened")::int AS "peopleScreened", SUM("feverCases")::int AS "feverCases", SUM("vehiclesInspected")::int AS "vehiclesInspected", COUNT(*)::int AS reports
       FROM "CheckpointReport" WHERE "supersededAt" IS NULL AND "periodStart" >= '2020-02-06 16:00+00' AND "periodStart" < '2020-02-07 16:00+00'`,
    );
    const [masks] = await query(
      database.url,
      `SELECT COALESCE(SUM(o.produced), 0)::int AS produced FROM "OutputReport" o JOIN "ProductionLine" l ON l.id = o."lineId" JOIN "Product" p ON p.id = l."productId"
       WHERE p.category = 'MASK' AND o."supersededAt" IS NULL AND o."periodStart" >= '2020-02-07 16:00+00' AND o."periodStart" < '2020-02-08 16:00+00'`,
    );
    const data: any = await ok(url, `{ d7: zoneSummary(day: "2020-02-07") { checkpointTotals { peopleScreened feverCases vehiclesInspected reports } } d8: zoneSummary(day: "2020-02-08") { production { masks { produced } } } }`);
    expect(data.d7.checkpointTotals).toEqual(expected);
    expect(data.d8.production.masks.produced).toBe(masks!.produced);
  });

  it('marks a site stale when its expected interval passes without a report', async () => {
    const data: any = await ok(url, `query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Checkpoint { isStale lastReportAt } } b: node(id: $b) { ... on Checkpoint { isStale lastReportAt } } }`, {
      a: globalId('Checkpoint', 'fengshou-road'),
      b: globalId('Checkpoint', 'yingbin-road-exit'),
    });
    // fengshou-road reported up to 11 Feb 01:00 local, after the clock (10 Feb 12:00): fresh.
    expect(data.a).toEqual({ isStale: false, lastReportAt: '2020-02-10T17:00:00.000Z' });
    // yingbin-road-exit's history ends 9 Feb 24:00 local, 12 hours before the clock: stale.
    expect(data.b.isStale).toBe(true);
  });
});

describe.skipIf(!(await postgresReachable()))('readiness through a database outage (PostgreSQL)', () => {
  let database: TestDatabase;
  let server: RunningServer;
  const dir = tempDir();
  const name = () => new URL(database.url).pathname.slice(1);

  beforeAll(async () => {
    database = await createTestDatabase('readiness');
    server = await startServer({ DATABASE_URL: database.url, FANGKONG_DATA_DIR: dir.path });
  });
  afterAll(async () => {
    await server?.stop();
    await query(database.url.replace(/\/[^/]*$/, '/postgres'), `ALTER DATABASE "${name()}" WITH ALLOW_CONNECTIONS true`).catch(() => {});
    await database?.drop();
    dir.remove();
  });

  it('says 503 within a second while the database refuses, naming nothing internal, and ready again after', async () => {
    const ready = () => fetch(`${server.url}/ready`);
    expect((await ready()).status).toBe(200);
    const admin = database.url.replace(/\/[^/]*$/, '/postgres');
    await query(admin, `ALTER DATABASE "${name()}" WITH ALLOW_CONNECTIONS false`);
    await query(admin, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name()]);
    const started = Date.now();
    const down = await ready();
    const ms = Date.now() - started;
    const body = await down.text();
    expect(down.status).toBe(503);
    expect(ms).toBeLessThan(1500);
    expect(JSON.parse(body)).toEqual({ status: 'unavailable', database: 'postgres', reason: 'the database does not answer' });
    await query(admin, `ALTER DATABASE "${name()}" WITH ALLOW_CONNECTIONS true`);
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await ready()).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
  }, 120_000);
});
