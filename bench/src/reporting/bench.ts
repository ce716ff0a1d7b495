import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { redisAnnouncer } from './announce.ts';
import { plainInsert, transactionShape } from './baseline.ts';
import { cpuBetween, type CpuUse, snapshotCpu } from './cpu.ts';
import { type LoadResult, median, runClosedLoop, type Send } from './load.ts';
import { reportThroughApi } from './ours.ts';
import { watchSessions } from './sessions.ts';
import { renderReportingMarkdown } from './report.ts';
import { checkpointGlobalId } from './rows.ts';
import { createToken } from '../shared/tokens.ts';
import { graphqlPoster, serverEnv, startServer } from './server.ts';
import { repoRoot } from '../shared/paths.ts';
import { openPool, type SubscriberPool } from '../live/subscribers.ts';
import { redisVersion } from '../live/server.ts';
import {
  type Machine,
  type Phase,
  type Ratio,
  type ReportingBenchOptions,
  type ReportingBenchResult,
  SERVER_POOL_SIZE,
  type SubscriberSummary,
  type Variant,
  VARIANTS,
  type VariantSummary,
} from './types.ts';

export type { ReportingBenchOptions, ReportingBenchResult } from './types.ts';

// What the subscribers ask for: wall displays' zone summary, a screen of 20 checkpoints' counts, and
// a partner's lossless `events` stream of reports (every report delivered to each of those).
const ZONE_SUMMARY = 'subscription { zoneSummary { checkpointTotals { reports peopleScreened feverCases } asOfSeq } }';
const CHECKPOINT_COUNTS = 'subscription($ids: [ID!]) { checkpointCounts(checkpointIds: $ids) { checkpoint { name } today { peopleScreened reports } asOfSeq } }';
const REPORT_EVENTS = 'subscription { events(types: [CHECKPOINT_REPORT_REPORTED]) { cursor type subjectId } }';

/**
 * Sustained reportCheckpointCounts per second through the real server (two instances on one
 * PostgreSQL database and one Redis, with live subscribers attached to both), against raw `pg`
 * writing the same rows into the same tables of the same database in the same run: the report,
 * its audit entry and its outbox event in one transaction without a lock (the goal's baseline), the
 * same under the old outbox lock, and one plain INSERT (the floor). Ours runs once through one
 * instance (16 in flight) and once through both (16 in flight on each).
 */
export async function runReportingBench(options: ReportingBenchOptions = {}): Promise<ReportingBenchResult> {
  const settings = {
    rounds: options.rounds ?? 5,
    seconds: options.seconds ?? 10,
    concurrency: options.concurrency ?? 16,
    warmupSeconds: options.warmupSeconds ?? 3,
    subscribers: options.subscribers ?? 100,
  };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maintenanceUrl = options.postgresUrl ?? process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const redisUrl = options.redisUrl ?? process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const databaseName = `fangkong_bench_reporting_${runTag}`;
  const databaseUrl = withDatabase(maintenanceUrl, databaseName);
  const redis = { url: redisUrl, prefix: `fangkong-bench-reporting-${runTag}:` };
  const redisAt = await redisVersion(redisUrl).catch((error: Error) => {
    throw new Error(`two instances share their live updates through Redis: ${error.message} (set BENCH_REDIS_URL)`);
  });

  const admin = new pg.Client({ connectionString: maintenanceUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${databaseName}"`);
  log(`database ${databaseName} created`);
  const servers: Awaited<ReturnType<typeof startServer>>[] = [];
  const posters: ReturnType<typeof graphqlPoster>[] = [];
  let announcer: Awaited<ReturnType<typeof redisAnnouncer>> | undefined;
  const subscriberPools: SubscriberPool[] = [];
  /** The pools whose subscribers take `events`: every report event reaches each of them. */
  const eventPools: SubscriberPool[] = [];
  // Connections stay open between phases, so their backends' CPU can be followed from start to end.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: SERVER_POOL_SIZE, idleTimeoutMillis: 0 });
  // An idle connection that breaks is worth a line, not a crash; once closing (pool.end() returns
  // before its sockets are shut, so DROP … WITH (FORCE) may cut them) it is expected.
  let closing = false;
  pool.on('error', (error) => closing || log(`idle pg connection: ${error.message}`));
  try {
    // One after the other: the first migrates and seeds, the second finds it done.
    servers.push(await startServer({ repoRoot, databaseUrl, redis }));
    servers.push(await startServer({ repoRoot, databaseUrl, redis }));
    const [a, b] = servers as [(typeof servers)[0], (typeof servers)[0]];
    log(`servers pid ${a.pid} at ${a.url}, pid ${b.pid} at ${b.url} (Redis ${redisAt})`);
    const machine = await describeMachine(pool, redisAt);
    const { rows: open } = await pool.query<{ id: string }>(`SELECT id FROM "Checkpoint" WHERE status::text <> 'CLOSED' ORDER BY id`);
    const checkpointIds = open.map((r) => r.id);
    if (!checkpointIds.length) throw new Error('the server loaded no open checkpoints');
    // One operator token scoped to every open checkpoint; the server caches verified tokens, so one or eight cost it alike.
    const env = serverEnv(databaseUrl);
    const token = await createToken({ repoRoot, env, role: 'operator', scope: checkpointIds, label: 'reporting bench' });
    const viewerToken = await createToken({ repoRoot, env, role: 'admin', label: 'reporting bench subscribers' });
    posters.push(graphqlPoster(a.url, settings.concurrency, token), graphqlPoster(b.url, settings.concurrency, token));
    const [posterA, posterB] = posters as [(typeof posters)[0], (typeof posters)[0]];

    // The subscribers: attached before anything is written and through every phase, half on each instance.
    const kinds = subscriberMix(settings.subscribers, checkpointIds);
    for (const kind of kinds) {
      for (const [server, size] of [[a, Math.ceil(kind.count / 2)], [b, Math.floor(kind.count / 2)]] as const) {
        if (!size) continue;
        const opened = await openPool({ transport: 'ws', graphqlUrl: server.url, size, operation: kind.operation, token: viewerToken, record: false });
        subscriberPools.push(opened);
        if (kind.name === 'events') eventPools.push(opened);
      }
    }
    log(`${settings.subscribers} subscribers attached (${kinds.map((k) => `${k.count} ${k.name}`).join(', ')})`);

    // The baselines announce their events on the instances' channel (bus.ts: `${prefix}outbox`), as a server does.
    announcer = await redisAnnouncer(redis.url, `${redis.prefix}outbox`);
    const { announce } = announcer;
    const refusals = { retried: 0 };
    let subscriberRefusals = 0;
    const senders: Record<Variant, (keyPrefix: string) => { send: Send; sendFor?: (worker: number) => Send; concurrency: number }> = {
      ours: (prefix) => ({ send: reportThroughApi(posterA, checkpointIds, prefix, refusals), concurrency: settings.concurrency }),
      ours2: (prefix) => {
        const toA = reportThroughApi(posterA, checkpointIds, prefix, refusals);
        const toB = reportThroughApi(posterB, checkpointIds, prefix, refusals);
        return { send: toA, sendFor: (worker) => (worker < settings.concurrency ? toA : toB), concurrency: 2 * settings.concurrency };
      },
      lockFree: (prefix) => ({ send: transactionShape(pool, checkpointIds, prefix, { lock: false, announce }), concurrency: settings.concurrency }),
      locked: (prefix) => ({ send: transactionShape(pool, checkpointIds, prefix, { lock: true, announce }), concurrency: settings.concurrency }),
      plain: (prefix) => ({ send: plainInsert(pool, checkpointIds, prefix), concurrency: settings.concurrency }),
    };
    const serverPids = servers.map((s) => s.pid);
    const backendPids = async () =>
      (await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
    const phase = async (round: number, variant: Variant, seconds: number): Promise<Phase> => {
      const keyPrefix = `bench-${runTag}-r${round}-${variant}-`;
      // Start every phase from the same state: the previous phase's dirty pages written out.
      await pool.query('CHECKPOINT');
      const before = snapshotCpu([...serverPids, ...(await backendPids())]);
      // The sampler's own backend starts after the first list and ends before the second: it is not counted as load.
      const watcher = await watchSessions(databaseUrl);
      refusals.retried = 0;
      const load = await runClosedLoop({ seconds, ...senders[variant](keyPrefix) });
      const retried = refusals.retried;
      const sessions = await watcher.stop();
      const backends = await backendPids();
      const cpu = cpuBetween(before, snapshotCpu([...serverPids, ...backends]), serverPids, backends);
      const stored = await countStored(pool, keyPrefix);
      const subscriberProblems = subscriberPools.flatMap((p) => p.problems.splice(0));
      const problems = [...check(variant, load, stored), ...summarizeProblems(subscriberProblems.filter((p) => !isRefusal(p)))];
      subscriberRefusals += subscriberProblems.filter(isRefusal).length;
      return { round, variant, load, cpu, sessions, stored, loadAverage: loadavg()[0] ?? 0, retried, problems };
    };

    if (settings.warmupSeconds > 0) {
      for (const variant of VARIANTS) {
        const warm = await phase(0, variant, settings.warmupSeconds);
        if (warm.problems.length) throw new Error(`warm-up of ${variant} failed: ${warm.problems.join('; ')}`);
        log(`warm-up ${variant}: ${warm.load.perSecond.toFixed(0)} reports/s`);
      }
    }

    const phases: Phase[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      // Alternate the order so no variant always runs on the emptier table or the cooler machine.
      const order = round % 2 ? VARIANTS : [...VARIANTS].reverse();
      for (const variant of order) {
        const result = await phase(round, variant, settings.seconds);
        phases.push(result);
        const { load, cpu } = result;
        const server = cpu.serverMs === null || !load.ok ? 'n/a' : `${(cpu.serverMs / load.ok).toFixed(2)} ms`;
        log(
          `round ${round}/${settings.rounds} ${variant.padEnd(8)} ${load.perSecond.toFixed(0).padStart(6)} reports/s  p50 ${load.p50Ms.toFixed(1)} ms  p99 ${load.p99Ms.toFixed(1)} ms` +
            `  server CPU/report ${server}${result.retried ? `  (${result.retried} retryable 503s retried)` : ''}  busy ${(cpu.machineBusy * 100).toFixed(0)}% (others ${((cpu.otherMs / cpu.capacityMs) * 100).toFixed(0)}%)  load ${result.loadAverage.toFixed(1)}` +
            `${result.problems.length ? `  INVALID: ${result.problems.join('; ')}` : ''}`,
        );
      }
    }

    const subscribers = { ...(await settleSubscribers(pool, subscriberPools, eventPools, kinds, log)), refusals: subscriberRefusals };
    const medians = Object.fromEntries(VARIANTS.map((variant) => [variant, summarize(phases.filter((p) => p.variant === variant))])) as ReportingBenchResult['medians'];
    const ratioOf = (top: Variant, bottom: Variant) => {
      const perRound = Array.from({ length: settings.rounds }, (_, i) => {
        const of = (variant: Variant) => phases.find((p) => p.round === i + 1 && p.variant === variant)!.load.perSecond;
        return of(top) / of(bottom);
      });
      return { median: median(perRound), perRound };
    };
    const ratios: Record<Ratio, { median: number; perRound: number[] }> = {
      lockFree: ratioOf('ours', 'lockFree'),
      scaling: ratioOf('ours2', 'ours'),
      locked: ratioOf('ours', 'locked'),
      plain: ratioOf('ours', 'plain'),
    };
    const problems = [
      ...phases.flatMap((p) => p.problems.map((problem) => `round ${p.round} ${p.variant}: ${problem}`)),
      ...subscribers.problems,
      ...(subscribers.eventsDelivered === subscribers.eventsExpected
        ? []
        : [`the events subscribers received ${subscribers.eventsDelivered} of ${subscribers.eventsExpected} deliveries`]),
    ];
    const result: ReportingBenchResult = {
      options: settings,
      startedAt,
      durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
      machine,
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
      phases,
      medians,
      ratios,
      subscribers,
      valid: problems.length === 0,
      problems,
      markdown: '',
    };
    result.markdown = renderReportingMarkdown(result);
    return result;
  } finally {
    await Promise.allSettled(subscriberPools.map((p) => p.close()));
    announcer?.close();
    for (const poster of posters) poster.close();
    await Promise.all(servers.map((server) => server.stop().catch((error: unknown) => log(`stopping a server: ${String(error)}`))));
    closing = true;
    await pool.end().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`).catch((error: unknown) => log(`dropping ${databaseName}: ${String(error)}`));
    await admin.end().catch(() => {});
    log(`database ${databaseName} dropped`);
  }
}

interface SubscriberKind {
  name: string;
  count: number;
  operation: { query: string; variables?: Record<string, unknown> };
}

/** 60 % zone summaries, 30 % screens of 20 checkpoints, 10 % `events` streams (at least one each from 3 subscribers on). */
function subscriberMix(total: number, checkpointIds: readonly string[]): SubscriberKind[] {
  const events = total >= 3 ? Math.max(1, Math.round(total * 0.1)) : 0;
  const screens = total >= 3 ? Math.max(1, Math.round(total * 0.3)) : 0;
  const ids = checkpointIds.slice(0, 20).map(checkpointGlobalId);
  return [
    { name: 'zoneSummary', count: total - events - screens, operation: { query: ZONE_SUMMARY } },
    { name: 'checkpointCounts (20 checkpoints)', count: screens, operation: { query: CHECKPOINT_COUNTS, variables: { ids } } },
    { name: 'events', count: events, operation: { query: REPORT_EVENTS } },
  ].filter((kind) => kind.count > 0);
}

/**
 * After the last phase: every report event of the run (through the API and from the baselines,
 * which the instances' followers find by polling) must reach every `events` subscriber.
 */
async function settleSubscribers(
  pool: pg.Pool,
  pools: SubscriberPool[],
  streams: SubscriberPool[],
  kinds: SubscriberKind[],
  log: (line: string) => void,
): Promise<SubscriberSummary> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "Event" WHERE type = 'checkpointReport:reported'`);
  const events = Number(rows[0]!.n);
  const size = streams.reduce((sum, p) => sum + p.size, 0);
  const deadline = Date.now() + 60_000;
  const delivered = () => streams.reduce((sum, p) => sum + p.delivered, 0);
  while (delivered() < events * size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
  await new Promise((resolve) => setTimeout(resolve, 500));
  log(`events subscribers: ${delivered()} of ${events * size} deliveries`);
  return {
    size: pools.reduce((sum, p) => sum + p.size, 0),
    kinds: kinds.map(({ name, count }) => ({ name, count })),
    eventsExpected: events * size,
    eventsDelivered: delivered(),
    delivered: pools.reduce((sum, p) => sum + p.delivered, 0),
    problems: summarizeProblems(pools.flatMap((p) => p.problems.splice(0)).filter((p) => !isRefusal(p))),
    refusals: 0,
  };
}

/**
 * A subscriber's result that carries only a retryable refusal (no connection free within a second:
 * DATABASE_UNAVAILABLE or SERVER_BUSY): the overload shows, the subscription goes on with the next update.
 */
const isRefusal = (problem: string) => /^subscriber \d+: errors /.test(problem) && /"code":"(DATABASE_UNAVAILABLE|SERVER_BUSY)"/.test(problem) && !/"code":"(?!DATABASE_UNAVAILABLE|SERVER_BUSY)/.test(problem);

/** Subscribers' problems, alike ones counted once: "15 subscribers: errors [...]". */
function summarizeProblems(problems: string[]): string[] {
  const counts = new Map<string, number>();
  for (const problem of problems) {
    const text = problem.replace(/^subscriber \d+: /, '').slice(0, 300);
    counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return [...counts].map(([text, n]) => `${n} subscriber${n === 1 ? '' : 's'}: ${text}`);
}

function summarize(phases: readonly Phase[]): VariantSummary {
  const perReport = (pick: (cpu: CpuUse) => number | null) => {
    const values = phases.flatMap((p) => {
      const ms = pick(p.cpu);
      return ms === null || !p.load.ok ? [] : [ms / p.load.ok];
    });
    return values.length ? median(values) : null;
  };
  return {
    perSecond: median(phases.map((p) => p.load.perSecond)),
    p50Ms: median(phases.map((p) => p.load.p50Ms)),
    p99Ms: median(phases.map((p) => p.load.p99Ms)),
    ok: phases.reduce((sum, p) => sum + p.load.ok, 0),
    failures: phases.reduce((sum, p) => sum + p.load.failures, 0),
    machineBusy: median(phases.map((p) => p.cpu.machineBusy)),
    benchMsPerReport: perReport((cpu) => cpu.benchMs) ?? Number.NaN,
    serverMsPerReport: perReport((cpu) => cpu.serverMs),
    serverAMsPerReport: perReport((cpu) => cpu.serversMs[0] ?? null),
    serverBMsPerReport: perReport((cpu) => cpu.serversMs[1] ?? null),
    postgresMsPerReport: perReport((cpu) => cpu.postgresMs),
    otherShare: median(phases.map((p) => p.cpu.otherMs / p.cpu.capacityMs)),
    sessions: {
      running: median(phases.map((p) => p.sessions.running)),
      waitingForLock: median(phases.map((p) => p.sessions.waitingForLock)),
      waitingForIo: median(phases.map((p) => p.sessions.waitingForIo)),
      idleInTransaction: median(phases.map((p) => p.sessions.idleInTransaction)),
    },
    loadAverage: median(phases.map((p) => p.loadAverage)),
    retried: phases.reduce((sum, p) => sum + p.retried, 0),
  };
}

/** What makes a phase invalid: any wrong answer, or rows that do not match the answers. */
function check(variant: Variant, load: LoadResult, stored: Phase['stored']): string[] {
  const problems: string[] = [];
  if (load.failures) problems.push(`${load.failures} wrong answers (e.g. ${load.failureSamples.join(' | ')})`);
  if (stored.reports !== load.ok) problems.push(`${load.ok} accepted but ${stored.reports} rows stored`);
  if (variant !== 'plain') {
    if (stored.audits !== stored.reports) problems.push(`${stored.reports} rows but ${stored.audits} audit entries`);
    if (stored.events !== stored.reports) problems.push(`${stored.reports} rows but ${stored.events} outbox events`);
  }
  if (!load.ok) problems.push('nothing accepted');
  return problems;
}

async function countStored(pool: pg.Pool, keyPrefix: string): Promise<Phase['stored']> {
  const { rows } = await pool.query<{ reports: string; audits: string; events: string }>(
    `WITH mine AS (SELECT id FROM "CheckpointReport" WHERE "idempotencyKey" LIKE $1 || '%')
     SELECT (SELECT count(*) FROM mine) AS reports,
            (SELECT count(*) FROM "AuditEntry" a JOIN mine ON a."entityType" = 'CheckpointReport' AND a."entityId" = mine.id) AS audits,
            (SELECT count(*) FROM "Event" e JOIN mine ON e."subjectType" = 'CheckpointReport' AND e."subjectId" = mine.id) AS events`,
    [keyPrefix],
  );
  const row = rows[0]!;
  return { reports: Number(row.reports), audits: Number(row.audits), events: Number(row.events) };
}

async function describeMachine(pool: pg.Pool, redis: string): Promise<Machine> {
  const { rows } = await pool.query<{ version: string; fsync: string; synchronous_commit: string }>(
    `SELECT current_setting('server_version') AS version, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit`,
  );
  const settings = rows[0]!;
  const all = cpus();
  return {
    cpu: all[0]?.model.trim() ?? 'unknown CPU',
    cores: all.length,
    node: process.version,
    postgres: `PostgreSQL ${settings.version}`,
    durability: `fsync ${settings.fsync}, synchronous_commit ${settings.synchronous_commit}`,
    redis: `Redis ${redis}`,
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
