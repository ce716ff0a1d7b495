// reportingCompleteness for one day over many sites with weeks of reports behind them: latency
// through the server (median of rounds) against a same-run baseline, the cheapest statement that
// answers part of the question (current reports per checkpoint that day, GROUP BY, straight over pg),
// and statements per request for one community, one township and the whole zone (they must be equal).
//
//   pnpm --filter @fangkong/bench bench:completeness [--quick]
//
// Full: 10,000 checkpoints, 30 days of hourly reports (7.2 million rows, about 5 % of periods
// missing, some late), 5 rounds. --quick: 500 checkpoints, 3 days, 2 rounds (a smoke).
import os from 'node:os';
import pg from 'pg';
import { cleanEnv, createEmptyDatabase } from '../shared/databases.ts';
import { describeMachine, machineLine } from '../shared/machine.ts';
import { repoRoot, writeResults } from '../shared/paths.ts';
import { startChild } from '../shared/processes.ts';
import { median } from '../shared/stats.ts';
import { BENCH_RATE_LIMIT, createToken } from '../shared/tokens.ts';

const quick = process.argv.includes('--quick');
const SITES = quick ? 500 : 10_000;
// BENCH_COMPLETENESS_DAYS shortens the full run's history where loading a month takes too long (about a minute a day on a loaded 2-core machine).
const DAYS = quick ? 3 : Number(process.env.BENCH_COMPLETENESS_DAYS ?? 30);
const ROUNDS = quick ? 2 : Number(process.env.BENCH_COMPLETENESS_ROUNDS ?? 5);
const adminUrl = process.env.FANGKONG_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

// The month ends at local midnight of 1 March 2020; the measured day is its last (29 February).
const END = '2020-03-01T00:00:00+08:00';
const DAY = '2020-02-29';

const QUERY = `query($day: Date!, $within: ID) { reportingCompleteness(day: $day, within: $within) {
  siteCount figures { expected received receivedOnTime completeness onTime }
  areas(level: TOWNSHIP, first: 20) { area { slug } figures { completeness } }
  sites(first: 50, incompleteOnly: true) { slug missingCount missing(first: 5) { start } } } }`;

const areaId = (slug: string) => Buffer.from(`Area:${slug}`).toString('base64');

async function main() {
  const started = Date.now();
  const machine = await describeMachine(adminUrl);
  // BENCH_DATABASE_PREFIX names the database apart when several people share one PostgreSQL.
  // BENCH_COMPLETENESS_DATABASE_URL: a database an earlier run kept (BENCH_KEEP_DATABASE=1) with the
  // same sites and days, reused as it is (a month takes half an hour to load on a busy machine).
  const reuseUrl = process.env.BENCH_COMPLETENESS_DATABASE_URL;
  const db = reuseUrl
    ? { url: reuseUrl, drop: async () => {} }
    : await createEmptyDatabase(adminUrl, process.env.BENCH_DATABASE_PREFIX ?? 'fangkong_bench_completeness');
  const client = new pg.Client({ connectionString: db.url });
  let server: Awaited<ReturnType<typeof startChild>> | undefined;
  try {
    const env = { ...cleanEnv(), DATABASE_URL: db.url };
    // The token command migrates the database first.
    const token = await createToken({ repoRoot, env, role: 'analyst', label: 'completeness bench' });
    await client.connect();
    const loadStarted = Date.now();
    // An empty database given to reuse is loaded (and kept) the first time.
    const shape = reuseUrl ? await loadedShape(client) : null;
    const loaded = shape && shape.sites > 0 ? shape : null;
    if (loaded && (loaded.sites !== SITES || loaded.days !== DAYS)) {
      throw new Error(`${reuseUrl} holds ${loaded.sites} bench checkpoints over ${loaded.days} days, not ${SITES} over ${DAYS}`);
    }
    if (!loaded) await load(client);
    const loadSeconds = (Date.now() - loadStarted) / 1000;
    const [{ n: reports }] = (await client.query<{ n: string }>(`SELECT COUNT(*)::text AS n FROM "CheckpointReport"`)).rows as [{ n: string }];
    server = await startChild('fangkong', ['--import', 'tsx', 'server/src/cli.ts', 'serve'], {
      cwd: repoRoot,
      env: { ...env, PORT: '0', LOG_LEVEL: 'silent', FANGKONG_CLOCK_START: END, FANGKONG_TRACE_SQL: '1', FANGKONG_RATE_LIMIT: BENCH_RATE_LIMIT, FANGKONG_STATEMENT_TIMEOUT_MS: '60000' },
      ready: /(http:\/\/\S+\/graphql)/,
    });
    const ask = async (within?: string) => {
      const t0 = performance.now();
      const response = await fetch(server!.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: QUERY, variables: { day: DAY, within } }),
      });
      const body = (await response.json()) as { data?: { reportingCompleteness: { siteCount: number; figures: { expected: number; received: number } } }; errors?: unknown; extensions?: { sqlStatements?: number } };
      const ms = performance.now() - t0;
      if (body.errors || !body.data) throw new Error(`reportingCompleteness failed: ${JSON.stringify(body.errors)}`);
      return { ms, sites: body.data.reportingCompleteness.siteCount, figures: body.data.reportingCompleteness.figures, statements: body.extensions?.sqlStatements ?? -1 };
    };
    const baseline = async () => {
      const t0 = performance.now();
      await client.query(
        `SELECT "checkpointId", COUNT(*) FROM "CheckpointReport" WHERE "supersededAt" IS NULL AND "periodStart" >= $1::timestamptz AND "periodStart" < $2::timestamptz GROUP BY 1`,
        ['2020-02-29T00:00:00+08:00', END],
      );
      return performance.now() - t0;
    };
    // Statements per request at three sizes.
    const sizes = [await ask(areaId('bench-t-0')), await ask(areaId('bench-zone')), await ask()];
    // Warm-up, then rounds with the sides alternating.
    await ask();
    await baseline();
    const ours: number[] = [];
    const base: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        ours.push((await ask()).ms);
        base.push(await baseline());
      } else {
        base.push(await baseline());
        ours.push((await ask()).ms);
      }
    }
    const whole = sizes[2]!;
    const lines = [
      `# reportingCompleteness: one day over ${SITES.toLocaleString('en')} checkpoints${quick ? ' (--quick smoke, not a measurement)' : ''}`,
      '',
      `Machine: ${machineLine(machine)}. Load average ${machine.loadAverage.toFixed(1)} at the start, ${os.loadavg()[0]!.toFixed(1)} at the end.`,
      `Data: ${SITES.toLocaleString('en')} checkpoints in 10 townships × 10 communities, ${DAYS} days of hourly reports (${Number(reports).toLocaleString('en')} rows, ${loaded ? 'loaded by an earlier run, reused' : `loaded in ${loadSeconds.toFixed(0)} s`}), ~5 % of periods missing, ~10 % late; PostgreSQL.`,
      `Day measured: ${DAY}, ${whole.figures.expected.toLocaleString('en')} expected periods, ${whole.figures.received.toLocaleString('en')} received.`,
      '',
      '| | median ms | rounds (ms) |',
      '|---|---:|---|',
      `| reportingCompleteness through the server (totals, township roll-up, 50 least complete sites) | ${median(ours).toFixed(0)} | ${ours.map((v) => v.toFixed(0)).join(', ')} |`,
      `| baseline: current reports per checkpoint that day (one GROUP BY over pg) | ${median(base).toFixed(0)} | ${base.map((v) => v.toFixed(0)).join(', ')} |`,
      `| ratio ours ÷ baseline | ${(median(ours) / median(base)).toFixed(1)} | |`,
      '',
      '| scope | sites | SQL statements per request |',
      '|---|---:|---:|',
      ...['one township', 'every bench township', 'the whole zone (the seed\'s sites too)'].map((label, i) => `| ${label} | ${sizes[i]!.sites.toLocaleString('en')} | ${sizes[i]!.statements} |`),
      '',
      `Rounds alternate sides; ${ROUNDS} rounds after one warm-up each. Total run ${((Date.now() - started) / 1000).toFixed(0)} s.`,
      '',
    ];
    const equal = sizes.every((s) => s.statements === sizes[0]!.statements && s.statements > 0);
    const file = writeResults('completeness', lines.join('\n'), { quick });
    console.log(lines.join('\n'));
    console.log(`wrote ${file}`);
    if (!equal) throw new Error(`statements per request differ with the number of sites: ${sizes.map((s) => s.statements).join(', ')}`);
  } finally {
    await server?.stop();
    await client.end().catch(() => {});
    if (process.env.BENCH_KEEP_DATABASE === '1' || reuseUrl) console.log(`kept ${db.url}`);
    else await db.drop().catch(() => {});
  }
}

/** The bench checkpoints and days of reports a reused database holds. */
async function loadedShape(client: pg.Client): Promise<{ sites: number; days: number }> {
  const { rows } = await client.query<{ sites: number; days: number }>(`SELECT
    (SELECT COUNT(*)::int FROM "Checkpoint" WHERE id LIKE 'bench-cp-%') AS sites,
    (SELECT COUNT(DISTINCT date_trunc('day', "periodStart" AT TIME ZONE 'Asia/Shanghai'))::int FROM "CheckpointReport" WHERE "checkpointId" = 'bench-cp-0') AS days`);
  return rows[0]!;
}

/** Areas, checkpoints and hourly reports, generated in SQL. Triggers are off while loading (no day is approved). */
async function load(client: pg.Client) {
  await client.query(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path) VALUES ('bench-zone', 'bench', 'bench', 'DISTRICT', NULL, '/bench-zone/')`);
  await client.query(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path)
    SELECT 'bench-t-' || t, 't' || t, 't' || t, 'TOWNSHIP', 'bench-zone', '/bench-zone/bench-t-' || t || '/' FROM generate_series(0, 9) t`);
  await client.query(`INSERT INTO "Area" (id, name, "nameEn", level, "parentId", path)
    SELECT 'bench-c-' || t || '-' || c, 'c', 'c', 'COMMUNITY', 'bench-t-' || t, '/bench-zone/bench-t-' || t || '/bench-c-' || t || '-' || c || '/'
    FROM generate_series(0, 9) t, generate_series(0, 9) c`);
  await client.query(`INSERT INTO "Checkpoint" (id, name, "nameEn", kind, "areaId", "openedAt")
    SELECT 'bench-cp-' || i, 'cp', 'cp', 'ROAD', 'bench-c-' || (i % 10) || '-' || ((i / 10) % 10), '2020-01-01T00:00:00+08:00'
    FROM generate_series(0, $1::int - 1) i`, [SITES]);
  await client.query(`ALTER TABLE "CheckpointReport" DISABLE TRIGGER USER`);
  try {
    // One day per statement, so no single statement runs for minutes.
    for (let d = DAYS; d >= 1; d--) {
      await client.query(
        `INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "peopleScreened", "reportedBy", "createdAt")
         SELECT gen_random_uuid()::text, 'bench-cp-' || i, h, h + interval '1 hour', 10, 'bench',
           h + interval '1 hour' + CASE WHEN random() < 0.1 THEN interval '2 hours' ELSE interval '5 minutes' END
         FROM generate_series(0, $1::int - 1) i,
              generate_series($2::timestamptz - make_interval(days => $3::int), $2::timestamptz - make_interval(days => $3::int - 1) - interval '1 hour', interval '1 hour') h
         WHERE random() >= 0.05`,
        [SITES, END, d],
      );
    }
  } finally {
    await client.query(`ALTER TABLE "CheckpointReport" ENABLE TRIGGER USER`);
  }
  await client.query(`ANALYZE`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
