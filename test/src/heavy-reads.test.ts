import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliDatabase, pgliteDatabase, postgresDatabase } from './support/cli.ts';
import { globalId } from './support/ids.ts';
import { postgresReachable } from './support/postgres.ts';
import { lastHour } from './support/reporting.ts';
import { createToken, graphql, type GraphQLResponse, type RunningServer, startServer } from './support/server.ts';

// Issue 12, item 1: one series read took the server down. Every series is priced before it runs by
// what it will produce, within a budget per role; what is allowed runs in short statements, so the
// server keeps answering others meanwhile.

const ALL_COUNTS = 'vehiclesInspected peopleScreened feverCases hubeiLinked referred disinfections reports simulatedReports';
/** Fields one bucket of `start counts { …all eight… }` adds to a response: the point, its start, its counts and their eight figures. */
const FIELDS_PER_BUCKET = 11;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The published persisted operation partners chart with (server/persisted-operations.json). */
const PARTNER_CHECKPOINT_SERIES = '3b4db1e748ee2d064c4a2839bfed0ba4dc8c465cb40b4feb68f9121e92da4e8f';

const series = (alias: string, from: string, to: string, bucket: 'HOUR' | 'DAY', fields = ALL_COUNTS) =>
  `${alias}: checkpointSeries(from: "${from}", to: "${to}", bucket: ${bucket}) { start counts { ${fields} } }`;
const plusMs = (at: string, ms: number) => new Date(Date.parse(at) + ms).toISOString();

/** A year of hourly reports at every checkpoint before the seeded history (27 Jan 2019 – 27 Jan 2020): 70,080 rows, 50 people screened each. */
const BULK_YEAR = `
  INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "vehiclesInspected", "peopleScreened", source, "reportedBy")
  SELECT 'bulk-' || c.id || '-' || (extract(epoch FROM h)::bigint)::text, c.id, h, h + interval '1 hour', 10, 50, 'SIMULATED', 'test:bulk'
  FROM "Checkpoint" c
  CROSS JOIN generate_series(timestamptz '2019-01-27 00:00:00+08', timestamptz '2020-01-26 23:00:00+08', interval '1 hour') AS h`;

interface Timed<T> {
  result: T;
  ms: number;
}

async function timed<T>(run: () => Promise<T>): Promise<Timed<T>> {
  const started = performance.now();
  const result = await run();
  return { result, ms: performance.now() - started };
}

/** GETs /health one after another until `until` settles; the latency of each, sorted. */
async function healthLatencies(baseUrl: string, until: Promise<unknown>): Promise<number[]> {
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const latencies: number[] = [];
  while (!done || latencies.length < 5) {
    const { ms, result } = await timed(() => fetch(`${baseUrl}/health`));
    expect(result.status).toBe(200);
    await result.arrayBuffer();
    latencies.push(ms);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return latencies.sort((a, b) => a - b);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;

function suite(name: string, open: () => CliDatabase | Promise<CliDatabase>, extraEnv: NodeJS.ProcessEnv = {}) {
  describe(name, () => {
    let db: CliDatabase;
    let server: RunningServer;
    const tokens: Record<string, string> = {};
    const as = (role: string, query: string, variables?: Record<string, unknown>) => graphql(server.graphqlUrl, query, variables, { authorization: `Bearer ${tokens[role]}` });

    beforeAll(async () => {
      db = await open();
      const seeded = await db.cli(['db:seed', '--history']);
      expect(seeded.code, seeded.stderr).toBe(0);
      await db.inspect((sql) => sql(BULK_YEAR));
      server = await startServer({ ...db.env, ...extraEnv });
      for (const role of ['analyst', 'partner', 'display']) tokens[role] = await createToken(db.env, role);
      tokens.admin = server.adminToken;
    });

    afterAll(async () => {
      await server?.stop();
      await db?.dispose();
    });

    describe('refused before anything runs', () => {
      it('refuses one 400-day hourly series, saying its cost, the budget and how to narrow it', async () => {
        const query = `{ ${series('s', '2019-01-27T00:00:00+08:00', plusMs('2019-01-27T00:00:00+08:00', 400 * DAY_MS), 'HOUR')} }`;
        for (const role of ['analyst', 'display', 'admin']) {
          const { result, ms } = await timed(() => as(role, query));
          expect(result.status, role).toBe(400);
          const [error] = result.errors!;
          expect(error!.extensions!.code).toBe('QUERY_TOO_COSTLY');
          expect(error!.extensions!.cost).toBe(9600 * FIELDS_PER_BUCKET);
          expect(error!.message).toContain(`${(9600 * FIELDS_PER_BUCKET).toLocaleString('en-US')} fields`);
          expect(error!.message).toContain(`budget of ${error!.extensions!.budget.toLocaleString('en-US')} for ${role} tokens`);
          expect(error!.message).toMatch(/shorter range|DAY buckets|fewer/);
          expect(result.data ?? null).toBeNull();
          expect(ms, role).toBeLessThan(1000);
        }
      });

      it("refuses the partner's own persisted PartnerCheckpointSeries over 400 days by the hour", async () => {
        const { result, ms } = await timed(async () => {
          const response = await fetch(server.graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.partner}` },
            body: JSON.stringify({
              variables: { from: '2019-01-27T00:00:00+08:00', to: plusMs('2019-01-27T00:00:00+08:00', 400 * DAY_MS), bucket: 'HOUR' },
              extensions: { persistedQuery: { version: 1, sha256Hash: PARTNER_CHECKPOINT_SERIES } },
            }),
          });
          return { status: response.status, ...((await response.json()) as Omit<GraphQLResponse, 'status'>) };
        });
        expect(result.status).toBe(400);
        expect(result.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
        expect(result.errors?.[0]?.message).toMatch(/for partner tokens/);
        expect(ms).toBeLessThan(1000);
      });

      it('refuses 30 aliased series that each fit the budget but not together', async () => {
        const month = (i: number) => series(`s${i}`, '2019-03-01T00:00:00+08:00', '2019-03-31T00:00:00+08:00', 'HOUR', 'peopleScreened');
        const single = await timed(() => as('analyst', `{ ${month(0)} }`));
        expect(single.result.errors).toBeUndefined();
        const { result, ms } = await timed(() => as('analyst', `{ ${Array.from({ length: 30 }, (_, i) => month(i)).join(' ')} }`));
        expect(result.status).toBe(400);
        expect(result.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COSTLY');
        expect(result.errors?.[0]?.extensions?.cost).toBe(30 * 720 * 4);
        expect(ms).toBeLessThan(1000);
      });
    });

    it('answers every limit with one HTTP status, 400, whichever response type the client accepts', async () => {
      const limits: [string, string, Record<string, unknown>?][] = [
        ['depth', `{ areas { edges { node { ${'parent { '.repeat(20)}name${' }'.repeat(20)} } } } }`],
        ['aliases', `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: zoneSummary { day }`).join(' ')} }`],
        ['directives', `{ zoneSummary { day ${'@include(if: true) '.repeat(21)} } }`],
        ['tokens', `{ zoneSummary { ${'day '.repeat(2600)} } }`],
        ['response size', `{ areas(first: 500) { edges { node { checkpoints(first: 500) { edges { node { id name } } } } } } }`],
        ['series cost', `{ ${series('s', '2019-01-27T00:00:00+08:00', plusMs('2019-01-27T00:00:00+08:00', 400 * DAY_MS), 'HOUR')} }`],
        ['list length', `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array.from({ length: 501 }, (_, i) => globalId('Checkpoint', `c${i}`)) }],
      ];
      for (const accept of ['application/json', 'application/graphql-response+json']) {
        for (const [limit, query, variables] of limits) {
          const response = await fetch(server.graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${tokens.analyst}` },
            body: JSON.stringify({ query, variables }),
          });
          const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
          expect(response.status, `${limit} (${accept}): ${JSON.stringify(body).slice(0, 200)}`).toBe(400);
          expect(body.errors?.[0]?.extensions?.code, limit).toMatch(/^[A-Z_]+$/);
          expect(body.data ?? null, limit).toBeNull();
        }
      }
    });

    describe('what the budget allows', () => {
      it("answers an analyst's month of daily series, every day present and summed right", async () => {
        const query = `{ ${series('march', '2019-03-01T00:00:00+08:00', '2019-04-01T00:00:00+08:00', 'DAY')}
                         ${series('week', '2020-02-03T00:00:00+08:00', '2020-02-10T00:00:00+08:00', 'DAY')}
                         ${series('hours', '2020-02-07T00:00:00+08:00', '2020-02-08T00:00:00+08:00', 'HOUR')}
                         zoneSummary(day: "2020-02-07") { checkpointTotals { ${ALL_COUNTS} } } }`;
        const result = await as('analyst', query);
        expect(result.errors).toBeUndefined();
        const { march, week, hours, zoneSummary } = result.data as Record<string, any>;
        expect(march).toHaveLength(31);
        expect(march[0].start).toBe('2019-02-28T16:00:00.000Z');
        // Eight checkpoints × 24 hours of the bulk year, 50 people each.
        for (const day of march) expect(day.counts).toMatchObject({ peopleScreened: 8 * 24 * 50, vehiclesInspected: 8 * 24 * 10, reports: 192, simulatedReports: 192 });
        expect(week).toHaveLength(7);
        expect(week[4].start).toBe('2020-02-06T16:00:00.000Z');
        expect(week[4].counts).toEqual(zoneSummary.checkpointTotals);
        expect(hours).toHaveLength(24);
        const summed = Object.fromEntries(Object.keys(zoneSummary.checkpointTotals).map((k) => [k, hours.reduce((n: number, h: any) => n + h.counts[k], 0)]));
        expect(summed).toEqual(zoneSummary.checkpointTotals);
      });

      it.each(['analyst', 'admin'])('keeps /health under 100 ms while the heaviest series an %s may ask for run, in turn and four at once', async (role) => {
        // The budget of the role, as its refusal states it; the heaviest allowed hourly series fills it.
        const probe = await as(role, `{ ${series('s', '2019-01-27T00:00:00+08:00', plusMs('2019-01-27T00:00:00+08:00', 400 * DAY_MS), 'HOUR')} }`);
        const budget = probe.errors![0]!.extensions!.budget as number;
        const hours = Math.floor(budget / FIELDS_PER_BUCKET);
        const from = '2019-05-01T00:00:00+08:00';
        const heaviest = `{ ${series('s', from, plusMs(from, hours * HOUR_MS), 'HOUR')} }`;
        // The answers are read as bytes while /health is timed and parsed after, so that the test's own
        // JSON parsing does not delay the /health answers it times.
        const send = async () => {
          const response = await fetch(server.graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[role]}` },
            body: JSON.stringify({ query: heaviest }),
          });
          return { status: response.status, body: await response.arrayBuffer() };
        };
        const check = (answers: { status: number; body: ArrayBuffer }[]) => {
          for (const answer of answers) {
            const { data, errors } = JSON.parse(Buffer.from(answer.body).toString()) as Omit<GraphQLResponse, 'status'>;
            expect(errors).toBeUndefined();
            expect(answer.status).toBe(200);
            expect(data!.s).toHaveLength(hours);
          }
        };
        check([await send()]); // warm

        const idle = await healthLatencies(server.url, new Promise((resolve) => setTimeout(resolve, 300)));
        const aloneRun = (async () => [await send(), await send(), await send()])();
        const alone = await healthLatencies(server.url, aloneRun);
        check(await aloneRun);
        const parallelRun = (async () => [...(await Promise.all(Array.from({ length: 4 }, send))), ...(await Promise.all(Array.from({ length: 4 }, send)))])();
        const parallel = await healthLatencies(server.url, parallelRun);
        check(await parallelRun);

        const line = (label: string, l: number[]) =>
          `${label}: n=${l.length} p50 ${percentile(l, 0.5).toFixed(1)} ms p95 ${percentile(l, 0.95).toFixed(1)} ms p99 ${percentile(l, 0.99).toFixed(1)} ms max ${l.at(-1)!.toFixed(1)} ms`;
        console.log(`${name}, /health with ${role}'s ${hours}-hour series (budget ${budget}):\n  ${line('idle', idle)}\n  ${line('three in turn', alone)}\n  ${line('four at once, twice', parallel)}`);
        // p95 rather than the maximum, and beyond 100 ms only by what the same server showed idle in
        // this run: on a loaded machine (CI runs test files side by side) an idle /health has
        // outliers too. Before the fix one allowed series held /health for 0.2 to 9 s.
        const noise = percentile(idle, 0.99);
        for (const latencies of [alone, parallel]) {
          expect(percentile(latencies, 0.95)).toBeLessThan(100 + noise);
          expect(percentile(latencies, 0.5)).toBeLessThan(50);
        }
      });
    });
  });
}

suite('heavy series reads on the embedded database', pgliteDatabase);

const postgres = await postgresReachable();

describe.skipIf(!postgres)('heavy series reads on PostgreSQL', () => {
  suite('heavy series reads on PostgreSQL', () => postgresDatabase('heavy_reads'));

  describe('a statement that runs too long, and reads waiting for one', () => {
    let db: CliDatabase;
    let server: RunningServer;
    let locker: pg.Client;
    const lockUrl = () => (db.env.DATABASE_URL as string);

    beforeAll(async () => {
      db = await postgresDatabase('heavy_reads_timeout');
      const seeded = await db.cli(['db:seed', '--history']);
      expect(seeded.code, seeded.stderr).toBe(0);
      server = await startServer({ ...db.env, FANGKONG_STATEMENT_TIMEOUT_MS: '1500', FANGKONG_HEAVY_READS: '2', FANGKONG_HEAVY_READ_WAIT_MS: '300' });
    });

    afterAll(async () => {
      await locker?.end().catch(() => {});
      await server?.stop();
      await db?.dispose();
    });

    /** Holds an exclusive lock on the checkpoint reports (as a long migration or a stuck session would) while `run` runs. */
    async function whileReportsLocked<T>(run: () => Promise<T>): Promise<T> {
      locker = new pg.Client({ connectionString: lockUrl() });
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE "CheckpointReport" IN ACCESS EXCLUSIVE MODE');
      try {
        return await run();
      } finally {
        await locker.query('ROLLBACK');
        await locker.end();
      }
    }

    const oneDay = series('s', '2020-02-07T00:00:00+08:00', '2020-02-08T00:00:00+08:00', 'DAY', 'peopleScreened');
    const withTimeout = (query: string, ms = 8000) =>
      Promise.race([graphql(server.graphqlUrl, query), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))]);

    it('stops a statement at the statement timeout with a typed, retryable error', async () => {
      const { result, ms } = await whileReportsLocked(() => timed(() => withTimeout(`{ ${oneDay} }`)));
      expect(result.status).toBe(503);
      expect(result.errors?.[0]?.extensions?.code).toBe('STATEMENT_TIMEOUT');
      expect(result.errors?.[0]?.message).toMatch(/1500 ms/);
      expect(result.errors?.[0]?.message).not.toMatch(/Unexpected error/);
      expect(ms).toBeGreaterThan(1400);
      expect(ms).toBeLessThan(4000);
      // And the next read, once the lock is gone, works.
      expect((await graphql(server.graphqlUrl, `{ ${oneDay} }`)).errors).toBeUndefined();
    });

    it('keeps connections for writes and other reads while heavy reads are stuck, and tells waiting reads to retry', async () => {
      const tenSeries = `{ ${Array.from({ length: 10 }, (_, i) => series(`s${i}`, '2020-02-07T00:00:00+08:00', '2020-02-08T00:00:00+08:00', 'DAY', 'peopleScreened')).join(' ')} }`;
      const line = globalId('ProductionLine', 'yizhonghong-line-1');
      await whileReportsLocked(async () => {
        const heavy = timed(() => withTimeout(tenSeries));
        await new Promise((resolve) => setTimeout(resolve, 200));
        const reference = await timed(() => withTimeout(`{ meetings { edges { node { title directives { ordinal } } } } }`));
        expect(reference.result.errors).toBeUndefined();
        expect(reference.ms).toBeLessThan(1000);
        const write = await timed(() =>
          graphql(server.graphqlUrl, `mutation($input: ReportProductionOutputInput!) { reportProductionOutput(input: $input) { __typename } }`, {
            input: { lineId: line, ...lastHour(), produced: 10, passedQc: 10, idempotencyKey: randomUUID() },
          }),
        );
        expect(write.result.data?.reportProductionOutput?.__typename).toBe('OutputReportPayload');
        expect(write.ms).toBeLessThan(1000);
        const { result, ms } = await heavy;
        // Two of the ten statements run (the limit) and wait on the lock; the next is told to retry
        // after 300 ms, which ends the operation (the series are non-null) long before the statement timeout.
        expect(result.errors).toHaveLength(1);
        expect(result.errors![0]!.extensions).toMatchObject({ code: 'SERVER_BUSY', retryable: true });
        expect(result.errors![0]!.message).toMatch(/waited 300 ms for its turn; retry/);
        expect(ms).toBeLessThan(1400);
        expect(result.status).toBe(503);
      });
    });
  });
});
