// The read-API scenario on one database: start the Fangkong server, the baseline and (on PostgreSQL)
// the peer, PostGraphile 5, as child processes; prove they answer with the same JSON (the peer the
// same data in its own shape), warm them up, then load them in alternation, round after round, from
// this process.
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { cleanEnv, type Backend, type BenchDatabase } from '../shared/databases.ts';
import { load, type LoadResult } from '../shared/load.ts';
import { startChild, type ChildServer } from '../shared/processes.ts';
import { BENCH_RATE_LIMIT, createToken } from '../shared/tokens.ts';
import { localDate } from './baseline-handler.ts';
import { readOperations, type ReadOperation } from './operations.ts';

export interface ReadApiSettings {
  rounds: number;
  /** Load per operation per target in each round. */
  secondsPerOperation: number;
  warmupSeconds: number;
  connections: number;
  /** The peer is compared with ours at `connections` and again at this many. */
  wideConnections: number;
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

export type Target = 'ours' | 'baseline' | 'peer';

/**
 * PostGraphile's part of a round, where it serves the operation: its run at the round's concurrency,
 * beside ours and the baseline's, then ours and its again at `wideConnections`.
 */
export interface PeerRuns {
  peer: MeasuredRun;
  /** ours ÷ PostGraphile requests per second; NaN when either run was invalid. */
  ratio: number;
  wide: { connections: number; ours: MeasuredRun; peer: MeasuredRun; ratio: number };
}

export interface Round {
  round: number;
  /** Which target ran first this round (they take turns). */
  first: Target;
  ours: MeasuredRun;
  baseline: MeasuredRun;
  /** ours ÷ baseline requests per second; NaN when either run was invalid. */
  ratio: number;
  peer?: PeerRuns;
}

export interface OperationResult {
  operation: ReadOperation;
  /** Response sizes, bytes: the targets serialise the same data (key order may differ; the peer's in its own names). */
  bytes: { ours: number; baseline: number; peer?: number };
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

interface Targets {
  ours: ChildServer;
  baseline: ChildServer;
  peer?: ChildServer;
}

/** The targets, once the tokens exist (the baseline opens its own copy on PGlite; it and the peer ignore tokens). */
async function startTargets(db: BenchDatabase, settings: ReadApiSettings): Promise<Targets> {
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
    peer: db.peerEnv
      ? startChild('PostGraphile', [...tsxNode, 'src/read/peer-server.ts'], {
          cwd: settings.benchDir,
          // Grafast's production mode, as PostGraphile is deployed (development mode adds planning checks).
          env: { ...common, ...db.peerEnv, GRAPHILE_ENV: 'production' },
          ready: /peer listening: (http:\/\/\S+\/graphql)/,
        })
      : Promise.resolve(undefined),
  };
  const [baseline, ours, peer] = await Promise.allSettled([starting.baseline, starting.ours, starting.peer]);
  if (baseline.status === 'fulfilled' && ours.status === 'fulfilled' && peer.status === 'fulfilled') {
    return { baseline: baseline.value, ours: ours.value, peer: peer.value };
  }
  // Whichever started is stopped before the failure is told.
  await Promise.all([baseline, ours, peer].map((started) => started.status === 'fulfilled' && started.value?.stop()));
  throw ([baseline, ours, peer].find((started) => started.status === 'rejected') as PromiseRejectedResult).reason;
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
function firstDifference(a: unknown, b: unknown, other = 'baseline', path = '$'): string {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const [x, y] = [(a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]];
      if (!isDeepStrictEqual(x, y)) return firstDifference(x, y, other, `${path}.${key}`);
    }
  }
  return `${path}: ours ${JSON.stringify(a)}, ${other} ${JSON.stringify(b)}`;
}

/** PostGraphile's checkpoint page, as peer-server.ts and peerCheckpointPageDocument shape it. */
interface PeerPage {
  allCheckpoints: {
    pageInfo: { hasNextPage: boolean };
    edges: { node: { rowId: string; name: string; nameEn: string; kind: string; today: unknown } }[];
  };
}

/** The peer's page in our names: our ids are Relay global ids, base64 of "Checkpoint:<id>". */
function peerPageAsOurs({ allCheckpoints: { pageInfo, edges } }: PeerPage) {
  return {
    checkpoints: {
      pageInfo,
      edges: edges.map(({ node: { rowId, ...fields } }) => ({ node: { id: Buffer.from(`Checkpoint:${rowId}`).toString('base64'), ...fields } })),
    },
  };
}

/** Just what the check for seeded data reads from the two answers. */
interface SampleData {
  zoneSummary?: { checkpointTotals: { reports: number } };
  checkpoints?: { edges: { node: { today: { reports: number } } }[] };
}

type Expected = Record<'ours' | 'baseline', string> & { peer?: string };

/**
 * The targets must give the same JSON, and it must carry data; otherwise the comparison means
 * nothing. The peer answers in its own names: its data, mapped to ours, must be deep-equal to ours.
 */
async function verify(operation: ReadOperation, targets: Targets, headers: Record<string, string>): Promise<Expected> {
  const peer = operation.peerBody && targets.peer;
  const [a, b, c] = await Promise.all([
    post(targets.ours.url, operation.body, headers),
    post(targets.baseline.url, operation.body, headers),
    peer ? post(peer.url, operation.peerBody!, headers) : undefined,
  ]);
  for (const [who, r] of [['ours', a], ['baseline', b], ['PostGraphile', c]] as const) {
    if (r && (r.status !== 200 || r.text.includes('"errors"'))) throw new Error(`${operation.name}: ${who} answered ${r.status} ${r.text.slice(0, 600)}`);
  }
  const [x, y] = [JSON.parse(a.text) as unknown, JSON.parse(b.text) as unknown];
  if (!isDeepStrictEqual(x, y)) throw new Error(`${operation.name}: the responses differ at ${firstDifference(x, y)}`);
  if (c) {
    const z = { data: peerPageAsOurs((JSON.parse(c.text) as { data: PeerPage }).data) };
    if (!isDeepStrictEqual(x, z)) throw new Error(`${operation.name}: the responses differ (PostGraphile's mapped to ours) at ${firstDifference(x, z, 'PostGraphile')}`);
  }
  const data = (x as { data: SampleData }).data;
  const reports =
    operation.name === 'ZoneSummary'
      ? (data.zoneSummary?.checkpointTotals.reports ?? 0)
      : (data.checkpoints?.edges ?? []).reduce((sum, edge) => sum + edge.node.today.reports, 0);
  if (!reports) throw new Error(`${operation.name}: no checkpoint reports in the answer; is the simulated history seeded and the clock on its days?`);
  return { ours: a.text, baseline: b.text, ...(c && { peer: c.text }) };
}

const describeRun = (r: LoadResult & { cpuMsPerResponse?: number }) =>
  `${r.requestsPerSecond.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms` +
  (r.cpuMsPerResponse === undefined ? '' : `, CPU ${r.cpuMsPerResponse.toFixed(2)} ms/response`) +
  (r.invalid ? `, INVALID (${r.errors} errors, ${r.mismatches} mismatches)` : '');

export async function runReadApi(db: BenchDatabase, settings: ReadApiSettings, log: Log, history: number | null = null): Promise<ReadApiResult> {
  // PostGraphile is told the day the other two take from their clock: the zone's local day at the clock's start.
  const timeZone = process.env.FANGKONG_TZ?.trim() || 'Asia/Shanghai';
  const operations = readOperations(settings.day, 50, { day: localDate(new Date(settings.clockStart), timeZone), timeZone });
  // Tokens are created by the server's own CLI (`pnpm fangkong token create`) on the database
  // itself, before any server holds a PGlite folder.
  log(`${db.backend}: creating tokens, counting the statements of the depth-3 page`);
  // One after the other: on PGlite each holds the folder while it runs.
  const tokenFor = (role: 'analyst' | 'admin') => createToken({ repoRoot: settings.repoRoot, env: { ...cleanEnv(), ...db.serverEnv }, role, label: `bench read ${role}` });
  const token = await tokenFor('analyst');
  const adminToken = await tokenFor('admin');
  const counted = await countStatements(db, settings, adminToken);
  log(`${db.backend}: statements per depth-3 page: ${counted.statements.map((s) => `${s.pageSize}: ${s.statements} (${s.rows} rows)`).join(', ')}`);
  log(`${db.backend}: starting the Fangkong server, the baseline${db.peerEnv ? ' and PostGraphile' : ''}`);
  const targets = await startTargets(db, settings);
  try {
    // The analyst's token, as a real reader sends it; the baseline and the peer receive the same header and ignore it.
    const headers = { authorization: `Bearer ${token}` };
    const expected = new Map<ReadOperation, Expected>();
    for (const operation of operations) expected.set(operation, await verify(operation, targets, headers));
    log(`${db.backend}: all answer ${operations.map((o) => o.name).join(' and ')} with the same JSON${targets.peer ? ' (PostGraphile the checkpoint page, mapped to ours)' : ''}`);

    const measure = async (operation: ReadOperation, who: Target, seconds: number, connections = settings.connections): Promise<MeasuredRun> => {
      const target = targets[who]!;
      const before = cpuMs(target.pid);
      const run = await load({
        url: target.url,
        body: who === 'peer' ? operation.peerBody! : operation.body,
        headers,
        expectedBody: expected.get(operation)![who]!,
        seconds,
        connections,
      });
      return { ...run, cpuMsPerResponse: run.responses ? (cpuMs(target.pid) - before) / run.responses : Number.NaN };
    };
    /** Who is loaded with an operation: the peer only where it serves it. */
    const sides = (operation: ReadOperation): Target[] => (targets.peer && operation.peerBody ? ['ours', 'baseline', 'peer'] : ['ours', 'baseline']);

    /**
     * Each side at the concurrency it is measured at. Where PostGraphile serves the operation, ours and
     * it warm up at the wide concurrency too (PostGraphile only there: it warms the process all the
     * same and keeps a smoke short): ours, warmed at 10 connections only, once took longer than a
     * smoke's run to give its first answer at 50.
     */
    const warmUps = (operation: ReadOperation): [Target, number][] => [
      ['ours', settings.connections],
      ['baseline', settings.connections],
      ...(sides(operation).includes('peer')
        ? ([
            ['ours', settings.wideConnections],
            ['peer', settings.wideConnections],
          ] as [Target, number][])
        : []),
    ];
    for (const operation of settings.warmupSeconds > 0 ? operations : []) {
      for (const [who, connections] of warmUps(operation)) {
        const warm = await measure(operation, who, settings.warmupSeconds, connections);
        log(`${db.backend}: warm-up ${operation.name} ${who} at c=${connections}: ${describeRun(warm)}`);
        // A warm-up too short for any answer under a loaded machine is no failure; a wrong answer is.
        if (warm.errors || warm.mismatches) throw new Error(`${operation.name}: ${who} failed under load during the warm-up (${warm.errors} errors, ${warm.mismatches} mismatches)`);
      }
    }

    const results: OperationResult[] = operations.map((operation) => {
      const bodies = expected.get(operation)!;
      return {
        operation,
        bytes: { ours: Buffer.byteLength(bodies.ours), baseline: Buffer.byteLength(bodies.baseline), ...(bodies.peer && { peer: Buffer.byteLength(bodies.peer) }) },
        rounds: [],
      };
    });
    const ratioOf = (a: MeasuredRun, b: MeasuredRun) => (a.invalid || b.invalid ? Number.NaN : a.requestsPerSecond / b.requestsPerSecond);
    for (let round = 1; round <= settings.rounds; round++) {
      for (const result of results) {
        // Odd rounds in one order, even rounds in the reverse: each side goes first and last in turn.
        const order = round % 2 ? sides(result.operation) : sides(result.operation).reverse();
        const runs = {} as Record<Target, MeasuredRun>;
        for (const who of order) runs[who] = await measure(result.operation, who, settings.secondsPerOperation);
        const ratio = ratioOf(runs.ours, runs.baseline);
        let peer: PeerRuns | undefined;
        if (runs.peer) {
          const wide = {} as Record<'ours' | 'peer', MeasuredRun>;
          for (const who of round % 2 ? (['ours', 'peer'] as const) : (['peer', 'ours'] as const)) {
            wide[who] = await measure(result.operation, who, settings.secondsPerOperation, settings.wideConnections);
          }
          peer = { peer: runs.peer, ratio: ratioOf(runs.ours, runs.peer), wide: { connections: settings.wideConnections, ...wide, ratio: ratioOf(wide.ours, wide.peer) } };
        }
        result.rounds.push({ round, first: order[0]!, ours: runs.ours, baseline: runs.baseline, ratio, ...(peer && { peer }) });
        log(
          `${db.backend}: round ${round}/${settings.rounds} ${result.operation.name}: ours ${describeRun(runs.ours)}; ` +
            `baseline ${describeRun(runs.baseline)}; ratio ${ratio.toFixed(3)}` +
            (peer
              ? `; PostGraphile ${describeRun(peer.peer)}, ours ÷ it ${peer.ratio.toFixed(3)}; at c=${peer.wide.connections} ours ${describeRun(peer.wide.ours)}, ` +
                `PostGraphile ${describeRun(peer.wide.peer)}, ours ÷ it ${peer.wide.ratio.toFixed(3)}`
              : ''),
        );
      }
    }
    return { backend: db.backend, history, seedSummary: db.seedSummary, ...counted, operations: results };
  } finally {
    await Promise.all([targets.ours.stop(), targets.baseline.stop(), targets.peer?.stop()]);
  }
}
