// Reads against a growing history: the same server code on two databases that differ only in how
// many past reports they hold, loaded in alternation, so "time at the large history ÷ time at the
// small one" is measured in one run. A read that does not return more must not cost more.
import pg from 'pg';
import { localDate, localDay } from '@fangkong/zone';
import { cleanEnv, createEmptyDatabase } from '../shared/databases.ts';
import { load, type LoadResult } from '../shared/load.ts';
import { startChild, type ChildServer } from '../shared/processes.ts';
import { BENCH_RATE_LIMIT, createToken } from '../shared/tokens.ts';

export interface HistorySettings {
  rounds: number;
  secondsPerRead: number;
  connections: number;
  /** Reports in the small and the large database. */
  sizes: { small: number; large: number };
  /** Extra synthetic checkpoints (in the bench's own databases only), so page sizes up to 500 are real. */
  extraCheckpoints: number;
  clockStart: string;
  repoRoot: string;
  adminUrl: string;
}

export interface HistoryRead {
  label: string;
  query: string;
}

/** The reads of issue 13 whose cost grew with history, and zoneSummary as the control. */
export const HISTORY_READS: HistoryRead[] = [
  { label: 'checkpoints(first: 8) { reports(first: 3) }', query: '{ checkpoints(first: 8) { edges { node { slug reports(first: 3) { edges { node { periodStart peopleScreened } } } } } } }' },
  { label: 'checkpoints(first: 8) { lastReportAt isStale today }', query: '{ checkpoints(first: 8) { edges { node { slug lastReportAt isStale today { peopleScreened feverCases } } } } }' },
  { label: 'checkpoint reports { totalCount }', query: '{ checkpoints(first: 1) { edges { node { slug reports(first: 1) { totalCount } } } } }' },
  { label: 'zoneSummary(day)', query: '{ zoneSummary(day: "2020-02-07") { checkpointTotals { peopleScreened feverCases reports } peopleUnderIsolation stock { produced allocated stock } } }' },
];

/** The depth-3 page whose statements are counted at each page size. */
export const depth3Page = (first: number) =>
  `{ checkpoints(first: ${first}) { edges { node { slug lastReportAt today { peopleScreened } reports(first: 3) { totalCount edges { node { periodStart } } } } } } }`;
export const PAGE_SIZES = [1, 10, 50, 500];

export interface Side {
  label: 'small' | 'large';
  reports: number;
  server: ChildServer;
  token: string;
  db: { url: string; drop(): Promise<void> };
}

export interface Round {
  first: 'small' | 'large';
  small: LoadResult;
  large: LoadResult;
  /** large ÷ small requests per second; NaN when a run was not clean. */
  ratio: number;
}

export interface HistoryResult {
  read: HistoryRead;
  rounds: Round[];
}

export interface StatementCounts {
  pageSize: number;
  small: number;
  large: number;
}

/** Reports of each extra checkpoint: enough to have a page, few enough to leave the history to the seed's sites. */
const EXTRA_REPORTS = 4;

/** The zone's time zone, as the server runs it by default. */
const ZONE = 'Asia/Shanghai';

const tsxNode = ['--experimental-wasm-modules', '--no-warnings', '--import', 'tsx'];

/**
 * A database of its own with `reports` simulated checkpoint reports: the seed's eight checkpoints
 * carry nearly all of them, hour after hour back from the clock's day (each a history of its own),
 * the extra synthetic checkpoints four hours each. Written with SQL: this is data, not the API under test.
 */
async function prepare(settings: HistorySettings, label: 'small' | 'large', reports: number): Promise<Side> {
  const db = await createEmptyDatabase(settings.adminUrl, `fangkong_history_${label}`);
  try {
    const env = { ...cleanEnv(), DATABASE_URL: db.url };
    const token = await createToken({ repoRoot: settings.repoRoot, env, role: 'analyst', label: `bench history ${label}` });
    // The server seeds the reference data as it starts; the history is added beside it.
    const server = await startChild(`Fangkong (${label} history)`, [...tsxNode, 'server/src/cli.ts', 'serve'], {
      cwd: settings.repoRoot,
      env: { ...env, LOG_LEVEL: 'silent', PORT: '0', FANGKONG_CLOCK_START: settings.clockStart, FANGKONG_RATE_LIMIT: BENCH_RATE_LIMIT, FANGKONG_TRACE_SQL: '1' },
      ready: /GraphQL and GraphiQL: (http:\/\/\S+\/graphql)/,
    });
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO "Checkpoint" (id, name, "nameEn", kind, "areaId", "reportIntervalMinutes")
         SELECT 'bench-' || n, '基准检查点' || n, 'Bench checkpoint ' || n, 'ROAD', (SELECT "areaId" FROM "Checkpoint" ORDER BY id LIMIT 1), 60
         FROM generate_series(1, $1::int) n`,
        [settings.extraCheckpoints],
      );
      const seedIds = (await client.query<{ id: string }>(`SELECT id FROM "Checkpoint" WHERE id NOT LIKE 'bench-%' ORDER BY id`)).rows.map((r) => r.id);
      const extra = settings.extraCheckpoints * EXTRA_REPORTS;
      const perSite = Math.max(1, Math.floor((reports - extra) / seedIds.length));
      // Hourly periods ending at the start of the clock's local day, going back.
      const dayStart = localDay(localDate(new Date(settings.clockStart), ZONE), ZONE).start.toISOString();
      const end = `timestamptz '${dayStart}'`;
      await client.query(
        `INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "peopleScreened", "feverCases", source, "reportedBy")
         SELECT gen_random_uuid()::text, c.id, ${end} - (h + 1) * interval '1 hour', ${end} - h * interval '1 hour', (h % 97)::int, (h % 500 = 0)::int, 'SIMULATED', 'bench history'
         FROM unnest($1::text[]) c(id), generate_series(0, $2::int - 1) h`,
        [seedIds, perSite],
      );
      await client.query(
        `INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "peopleScreened", source, "reportedBy")
         SELECT gen_random_uuid()::text, 'bench-' || n, ${end} - (h + 1) * interval '1 hour', ${end} - h * interval '1 hour', 1, 'SIMULATED', 'bench history'
         FROM generate_series(1, $1::int) n, generate_series(0, $2::int - 1) h`,
        [settings.extraCheckpoints, EXTRA_REPORTS],
      );
      await client.query('VACUUM ANALYZE "CheckpointReport"');
      const [row] = (await client.query<{ n: number }>('SELECT COUNT(*)::int AS n FROM "CheckpointReport"')).rows;
      return { label, reports: row!.n, server, token, db };
    } catch (error) {
      await server.stop();
      throw error;
    } finally {
      await client.end();
    }
  } catch (error) {
    await db.drop().catch(() => {});
    throw error;
  }
}

async function ask(side: Side, query: string): Promise<{ text: string; statements: number }> {
  const response = await fetch(side.server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${side.token}` },
    body: JSON.stringify({ query }),
  });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"errors"')) throw new Error(`${side.label}: ${query} answered ${response.status}: ${text.slice(0, 500)}`);
  return { text, statements: (JSON.parse(text) as { extensions?: { sqlStatements?: number } }).extensions?.sqlStatements ?? Number.NaN };
}

export async function runHistory(settings: HistorySettings, log: (line: string) => void) {
  log(`preparing ${settings.sizes.small} and ${settings.sizes.large} reports`);
  const sides = await Promise.allSettled([prepare(settings, 'small', settings.sizes.small), prepare(settings, 'large', settings.sizes.large)]);
  const ready = sides.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  try {
    const failed = sides.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    const [small, large] = ready as [Side, Side];
    log(`small: ${small.reports} reports, large: ${large.reports} reports`);

    const statements: StatementCounts[] = [];
    for (const pageSize of PAGE_SIZES) {
      statements.push({ pageSize, small: (await ask(small, depth3Page(pageSize))).statements, large: (await ask(large, depth3Page(pageSize))).statements });
    }

    const results: HistoryResult[] = [];
    for (const read of HISTORY_READS) {
      const body = JSON.stringify({ query: read.query });
      // Each side's own answer is what it must keep giving under load (the histories differ).
      const expected = { small: (await ask(small, read.query)).text, large: (await ask(large, read.query)).text };
      const rounds: Round[] = [];
      for (let round = 0; round < settings.rounds; round++) {
        const order: ('small' | 'large')[] = round % 2 === 0 ? ['small', 'large'] : ['large', 'small'];
        const runs = {} as Record<'small' | 'large', LoadResult>;
        for (const label of order) {
          const side = label === 'small' ? small : large;
          runs[label] = await load({
            url: side.server.url,
            body,
            headers: { authorization: `Bearer ${side.token}` },
            expectedBody: expected[label],
            seconds: settings.secondsPerRead,
            connections: settings.connections,
          });
        }
        const ratio = runs.small.invalid || runs.large.invalid ? Number.NaN : runs.large.requestsPerSecond / runs.small.requestsPerSecond;
        rounds.push({ first: order[0]!, ...runs, ratio });
        log(`${read.label}: round ${round + 1}: large ÷ small ${ratio.toFixed(2)}`);
      }
      results.push({ read, rounds });
    }
    return { small: small.reports, large: large.reports, statements, results };
  } finally {
    await Promise.all(ready.map(async (side) => {
      await side.server.stop();
      await side.db.drop().catch(() => {});
    }));
  }
}
