// The read-API scenario on one database: start the Fangkong server and the baseline as child
// processes, prove they answer both operations with the same JSON, warm both up, then load them
// in alternation, round after round, from this process.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { cleanEnv, type Backend, type BenchDatabase } from '../shared/databases.ts';
import { load, type LoadResult } from '../shared/load.ts';
import { startChild, type ChildServer } from '../shared/processes.ts';
import { BENCH_RATE_LIMIT, createToken } from '../shared/tokens.ts';
import { readOperations, type ReadOperation } from './operations.ts';

export interface ReadApiSettings {
  rounds: number;
  /** Load per operation per target in each round. */
  secondsPerOperation: number;
  warmupSeconds: number;
  connections: number;
  /** The day zoneSummary asks for. */
  day: string;
  /** FANGKONG_CLOCK_START for both: fixes "today" for the checkpoint page. */
  clockStart: string;
  repoRoot: string;
  benchDir: string;
}

/** What one depth-3 page cost the server in SQL at one page size (FANGKONG_TRACE_SQL). */
export interface StatementCount {
  pageSize: number;
  statements: number;
  rows: number;
}

/** A load run, with the CPU time its target's process spent per response (ms; from /proc, NaN where unreadable). */
export type MeasuredRun = LoadResult & { cpuMsPerResponse: number };

export interface Round {
  round: number;
  /** Which target ran first this round (they take turns). */
  first: 'ours' | 'baseline';
  ours: MeasuredRun;
  baseline: MeasuredRun;
  /** ours ÷ baseline requests per second; NaN when either run was invalid. */
  ratio: number;
}

export interface OperationResult {
  operation: ReadOperation;
  /** Response sizes, bytes: the targets serialise the same data (key order may differ). */
  bytes: { ours: number; baseline: number };
  rounds: Round[];
}

export interface ReadApiResult {
  backend: Backend;
  /** Checkpoint reports asked for with --history; null for the seed's fortnight alone. */
  history: number | null;
  seedSummary: string;
  /** The depth-3 page at each page size. */
  statements: StatementCount[];
  /** The benchmark's checkpoint page (with today's counts) at each page size. */
  pageStatements: StatementCount[];
  /** Each measured operation's statements, by operation name. */
  operationStatements: Partial<Record<string, StatementCount>>;
  operations: OperationResult[];
}

export type Log = (line: string) => void;

const tsxNode = ['--experimental-wasm-modules', '--no-warnings', '--import', 'tsx'];

/**
 * Our servers' alert sweep once a day (FANGKONG_ALERT_SWEEP_MS), not every 30 s: the first sweep
 * raises the seed's overdue findings and low stock, and those events move zoneSummary's asOfSeq,
 * so answers would change under load (and on PGlite differ from the baseline's copy of the folder).
 * The sweep is background work, not part of a read.
 */
const NO_ALERT_SWEEP = String(24 * 3_600_000);

/** Both targets, once the tokens exist (the baseline opens its own copy on PGlite, and ignores tokens). */
async function startTargets(db: BenchDatabase, settings: ReadApiSettings): Promise<{ ours: ChildServer; baseline: ChildServer }> {
  const common = { ...cleanEnv(), LOG_LEVEL: 'silent', PORT: '0', FANGKONG_CLOCK_START: settings.clockStart, FANGKONG_RATE_LIMIT: BENCH_RATE_LIMIT, FANGKONG_ALERT_SWEEP_MS: NO_ALERT_SWEEP };
  const starting = {
    baseline: startChild('baseline', [...tsxNode, 'src/read/baseline-server.ts'], {
      cwd: settings.benchDir,
      env: { ...common, ...db.baselineEnv },
      ready: /baseline listening: (http:\/\/\S+\/graphql)/,
    }),
    ours: startChild('Fangkong server', [...tsxNode, 'server/src/cli.ts', 'serve'], {
      cwd: settings.repoRoot,
      env: { ...common, ...db.serverEnv },
      ready: /GraphQL and GraphiQL: (http:\/\/\S+\/graphql)/,
    }),
  };
  const [baseline, ours] = await Promise.allSettled([starting.baseline, starting.ours]);
  if (baseline.status === 'fulfilled' && ours.status === 'fulfilled') return { baseline: baseline.value, ours: ours.value };
  // Whichever started is stopped before the failure is told.
  await Promise.all([baseline.status === 'fulfilled' && baseline.value.stop(), ours.status === 'fulfilled' && ours.value.stop()]);
  throw baseline.status === 'rejected' ? baseline.reason : (ours as PromiseRejectedResult).reason;
}

/** The depth-3 page whose statements are counted: areas → checkpoints → today's counts, latest report and a page of reports. */
export const depth3Page = (first: number) =>
  `{ areas(first: 8) { edges { node { slug checkpoints(first: ${first}) { totalCount edges { node { lastReportAt isStale ` +
  `today { peopleScreened } reports(first: 3) { totalCount edges { node { periodStart } } } } } } } } } }`;
export const PAGE_SIZES = [1, 10, 50, 500];

/**
 * Statements and rows per depth-3 page at each page size, read from a server of our own started
 * with FANGKONG_TRACE_SQL=1 (extensions.sqlStatements, sqlRows) before the measured targets start:
 * tracing is not part of what is timed. An admin token, since the largest page is beyond an analyst's read budget.
 */
async function countStatements(
  db: BenchDatabase,
  settings: ReadApiSettings,
  adminToken: string,
): Promise<Pick<ReadApiResult, 'statements' | 'pageStatements' | 'operationStatements'>> {
  const server = await startChild('Fangkong server (tracing SQL)', [...tsxNode, 'server/src/cli.ts', 'serve'], {
    cwd: settings.repoRoot,
    env: { ...cleanEnv(), LOG_LEVEL: 'silent', PORT: '0', FANGKONG_CLOCK_START: settings.clockStart, FANGKONG_RATE_LIMIT: BENCH_RATE_LIMIT, FANGKONG_ALERT_SWEEP_MS: NO_ALERT_SWEEP, FANGKONG_TRACE_SQL: '1', ...db.serverEnv },
    ready: /GraphQL and GraphiQL: (http:\/\/\S+\/graphql)/,
  });
  const count = async (what: string, body: string, pageSize: number): Promise<StatementCount> => {
    const { status, text } = await post(server.url, body, { authorization: `Bearer ${adminToken}` });
    if (status !== 200 || text.includes('"errors"')) throw new Error(`${what}: answered ${status} ${text.slice(0, 600)}`);
    const { extensions } = JSON.parse(text) as { extensions?: { sqlStatements?: number; sqlRows?: number } };
    return { pageSize, statements: extensions?.sqlStatements ?? Number.NaN, rows: extensions?.sqlRows ?? Number.NaN };
  };
  try {
    const statements: StatementCount[] = [];
    const pageStatements: StatementCount[] = [];
    for (const pageSize of PAGE_SIZES) {
      statements.push(await count(`depth-3 page of ${pageSize}`, JSON.stringify({ query: depth3Page(pageSize) }), pageSize));
      const page = readOperations(settings.day, pageSize).find((o) => o.name === 'CheckpointPage')!;
      pageStatements.push(await count(`checkpoint page of ${pageSize}`, page.body, pageSize));
    }
    const operationStatements: Partial<Record<string, StatementCount>> = {};
    for (const operation of readOperations(settings.day)) operationStatements[operation.name] = await count(operation.name, operation.body, 50);
    return { statements, pageStatements, operationStatements };
  } finally {
    await server.stop();
  }
}

/**
 * CPU time (user + system) a process has used, in ms, from /proc (Linux); NaN elsewhere. Per response
 * it is what a request costs the target's process whatever else the shared machine runs; on PGlite it
 * includes the database, which runs inside the process.
 */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}

/** USER_HZ: 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json', ...headers }, body });
  return { status: response.status, text: await response.text() };
}

/** The first path at which two JSON values differ, with both values there. */
function firstDifference(a: unknown, b: unknown, path = '$'): string {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const [x, y] = [(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]];
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, `${path}.${key}`);
    }
  }
  return `${path}: ours ${JSON.stringify(a)}, baseline ${JSON.stringify(b)}`;
}

/** Just what the check for seeded data reads from the two answers. */
interface SampleData {
  zoneSummary?: { checkpointTotals: { reports: number } };
  checkpoints?: { edges: { node: { today: { reports: number } } }[] };
}

/** Both targets must give the same JSON, and it must carry data; otherwise the comparison means nothing. */
async function verify(operation: ReadOperation, ours: ChildServer, baseline: ChildServer, headers: Record<string, string>): Promise<{ ours: string; baseline: string }> {
  const [a, b] = await Promise.all([post(ours.url, operation.body, headers), post(baseline.url, operation.body, headers)]);
  for (const [who, r] of [['ours', a], ['baseline', b]] as const) {
    if (r.status !== 200 || r.text.includes('"errors"')) throw new Error(`${operation.name}: ${who} answered ${r.status} ${r.text.slice(0, 600)}`);
  }
  const [x, y] = [JSON.parse(a.text) as unknown, JSON.parse(b.text) as unknown];
  if (!isDeepStrictEqual(x, y)) throw new Error(`${operation.name}: the responses differ at ${firstDifference(x, y)}`);
  const data = (x as { data: SampleData }).data;
  const reports =
    operation.name === 'ZoneSummary'
      ? (data.zoneSummary?.checkpointTotals.reports ?? 0)
      : (data.checkpoints?.edges ?? []).reduce((sum, edge) => sum + edge.node.today.reports, 0);
  if (!reports) throw new Error(`${operation.name}: no checkpoint reports in the answer; is the simulated history seeded and the clock on its days?`);
  return { ours: a.text, baseline: b.text };
}

const describeRun = (r: LoadResult & { cpuMsPerResponse?: number }) =>
  `${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms` +
  (r.cpuMsPerResponse === undefined ? '' : `, CPU ${r.cpuMsPerResponse.toFixed(2)} ms/response`) +
  (r.invalid ? `, INVALID (${r.errors} errors, ${r.mismatches} mismatches)` : '');

export async function runReadApi(db: BenchDatabase, settings: ReadApiSettings, log: Log, history: number | null = null): Promise<ReadApiResult> {
  const operations = readOperations(settings.day);
  // Tokens are created by the server's own CLI (`pnpm fangkong token create`) on the database
  // itself, before any server holds a PGlite folder.
  log(`${db.backend}: creating tokens, counting the statements of the depth-3 page`);
  // One after the other: on PGlite each holds the folder while it runs.
  const tokenFor = (role: 'analyst' | 'admin') => createToken({ repoRoot: settings.repoRoot, env: { ...cleanEnv(), ...db.serverEnv }, role, label: `bench read ${role}` });
  const token = await tokenFor('analyst');
  const adminToken = await tokenFor('admin');
  const counted = await countStatements(db, settings, adminToken);
  log(`${db.backend}: statements per depth-3 page: ${counted.statements.map((s) => `${s.pageSize}: ${s.statements} (${s.rows} rows)`).join(', ')}`);
  log(`${db.backend}: starting the Fangkong server and the baseline`);
  const { ours, baseline } = await startTargets(db, settings);
  try {
    const targets = { ours, baseline };
    // The analyst's token, as a real reader sends it; the baseline receives the same header and ignores it.
    const headers = { authorization: `Bearer ${token}` };
    const expected = new Map<ReadOperation, { ours: string; baseline: string }>();
    for (const operation of operations) expected.set(operation, await verify(operation, ours, baseline, headers));
    log(`${db.backend}: both answer ${operations.map((o) => o.name).join(' and ')} with the same JSON`);

    const measure = async (operation: ReadOperation, who: 'ours' | 'baseline', seconds: number): Promise<MeasuredRun> => {
      const before = cpuMs(targets[who].pid);
      const run = await load({
        url: targets[who].url,
        body: operation.body,
        headers,
        expectedBody: expected.get(operation)![who],
        seconds,
        connections: settings.connections,
      });
      return { ...run, cpuMsPerResponse: run.responses ? (cpuMs(targets[who].pid) - before) / run.responses : Number.NaN };
    };

    for (const operation of settings.warmupSeconds > 0 ? operations : []) {
      for (const who of ['ours', 'baseline'] as const) {
        const warm = await measure(operation, who, settings.warmupSeconds);
        log(`${db.backend}: warm-up ${operation.name} ${who}: ${describeRun(warm)}`);
        // A warm-up too short for any answer under a loaded machine is no failure; a wrong answer is.
        if (warm.errors || warm.mismatches) throw new Error(`${operation.name}: ${who} failed under load during the warm-up (${warm.errors} errors, ${warm.mismatches} mismatches)`);
      }
    }

    const results: OperationResult[] = operations.map((operation) => ({
      operation,
      bytes: { ours: Buffer.byteLength(expected.get(operation)!.ours), baseline: Buffer.byteLength(expected.get(operation)!.baseline) },
      rounds: [],
    }));
    for (let round = 1; round <= settings.rounds; round++) {
      const order = round % 2 ? (['ours', 'baseline'] as const) : (['baseline', 'ours'] as const);
      for (const result of results) {
        const runs = {} as Record<'ours' | 'baseline', MeasuredRun>;
        for (const who of order) runs[who] = await measure(result.operation, who, settings.secondsPerOperation);
        const ratio = runs.ours.invalid || runs.baseline.invalid ? Number.NaN : runs.ours.requestsPerSecond / runs.baseline.requestsPerSecond;
        result.rounds.push({ round, first: order[0], ours: runs.ours, baseline: runs.baseline, ratio });
        log(
          `${db.backend}: round ${round}/${settings.rounds} ${result.operation.name}: ours ${describeRun(runs.ours)}; ` +
            `baseline ${describeRun(runs.baseline)}; ratio ${ratio.toFixed(3)}`,
        );
      }
    }
    return { backend: db.backend, history, seedSummary: db.seedSummary, ...counted, operations: results };
  } finally {
    await Promise.all([ours.stop(), baseline.stop()]);
  }
}
