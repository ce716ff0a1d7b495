import { cpus } from 'node:os';
import pg from 'pg';
import { plainInsert, transactionShape } from './baseline.ts';
import { cpuBetween, type CpuUse, snapshotCpu } from './cpu.ts';
import { type LoadResult, median, runClosedLoop, type Send } from './load.ts';
import { reportThroughApi } from './ours.ts';
import { watchSessions } from './sessions.ts';
import { renderReportingMarkdown } from './report.ts';
import { createToken } from '../shared/tokens.ts';
import { graphqlPoster, serverEnv, startServer } from './server.ts';
import { repoRoot } from '../shared/paths.ts';
import { type Machine, type Phase, type ReportingBenchOptions, type ReportingBenchResult, SERVER_POOL_SIZE, type Variant, VARIANTS, type VariantSummary } from './types.ts';

export type { ReportingBenchOptions, ReportingBenchResult } from './types.ts';

/**
 * Sustained reportCheckpointCounts per second through the real server on PostgreSQL, against raw
 * `pg` inserts of the same rows into the same table of the same database in the same run:
 * (a) one autocommitted INSERT per row, (b) the server's transaction shape written by hand.
 */
export async function runReportingBench(options: ReportingBenchOptions = {}): Promise<ReportingBenchResult> {
  const settings = {
    rounds: options.rounds ?? 5,
    seconds: options.seconds ?? 10,
    concurrency: options.concurrency ?? 16,
    warmupSeconds: options.warmupSeconds ?? 3,
  };
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const maintenanceUrl = options.postgresUrl ?? process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const startedAt = new Date();
  const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const databaseName = `fangkong_bench_reporting_${runTag}`;
  const databaseUrl = withDatabase(maintenanceUrl, databaseName);

  const admin = new pg.Client({ connectionString: maintenanceUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${databaseName}"`);
  log(`database ${databaseName} created`);
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  let poster: ReturnType<typeof graphqlPoster> | undefined;
  // Connections stay open between phases, so their backends' CPU can be followed from start to end.
  const pool = new pg.Pool({ connectionString: databaseUrl, max: SERVER_POOL_SIZE, idleTimeoutMillis: 0 });
  // An idle connection that breaks is worth a line, not a crash; once closing (pool.end() returns
  // before its sockets are shut, so DROP … WITH (FORCE) may cut them) it is expected.
  let closing = false;
  pool.on('error', (error) => closing || log(`idle pg connection: ${error.message}`));
  try {
    server = await startServer({ repoRoot, databaseUrl });
    log(`server pid ${server.pid} at ${server.url}`);
    const machine = await describeMachine(pool);
    const { rows: open } = await pool.query<{ id: string }>(`SELECT id FROM "Checkpoint" WHERE status::text <> 'CLOSED' ORDER BY id`);
    const checkpointIds = open.map((r) => r.id);
    if (!checkpointIds.length) throw new Error('the server loaded no open checkpoints');
    // One operator token scoped to every open checkpoint; the server caches verified tokens, so one or eight cost it alike.
    const token = await createToken({ repoRoot, env: serverEnv(databaseUrl), role: 'operator', scope: checkpointIds, label: 'reporting bench' });
    poster = graphqlPoster(server.url, settings.concurrency, token);

    const senders: Record<Variant, (keyPrefix: string) => Send> = {
      ours: (prefix) => reportThroughApi(poster!, checkpointIds, prefix),
      plain: (prefix) => plainInsert(pool, checkpointIds, prefix),
      transaction: (prefix) => transactionShape(pool, checkpointIds, prefix),
    };
    const serverPid = server.pid;
    const backendPids = async () =>
      (await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
    const phase = async (round: number, variant: Variant, seconds: number): Promise<Phase> => {
      const keyPrefix = `bench-${runTag}-r${round}-${variant}-`;
      // Start every phase from the same state: the previous phase's dirty pages written out.
      await pool.query('CHECKPOINT');
      const before = snapshotCpu([serverPid, ...(await backendPids())]);
      // The sampler's own backend starts after the first list and ends before the second: it is not counted as load.
      const watcher = await watchSessions(databaseUrl);
      const load = await runClosedLoop({ concurrency: settings.concurrency, seconds, send: senders[variant](keyPrefix) });
      const sessions = await watcher.stop();
      const backends = await backendPids();
      const cpu = cpuBetween(before, snapshotCpu([serverPid, ...backends]), serverPid, backends);
      const stored = await countStored(pool, keyPrefix);
      return { round, variant, load, cpu, sessions, stored, problems: check(variant, load, stored) };
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
        const { load } = result;
        log(
          `round ${round}/${settings.rounds} ${variant.padEnd(11)} ${load.perSecond.toFixed(0).padStart(6)} reports/s  p50 ${load.p50Ms.toFixed(1)} ms  p99 ${load.p99Ms.toFixed(1)} ms` +
            `  busy ${(result.cpu.machineBusy * 100).toFixed(0)}% (others ${((result.cpu.otherMs / result.cpu.capacityMs) * 100).toFixed(0)}%)${result.problems.length ? `  INVALID: ${result.problems.join('; ')}` : ''}`,
        );
      }
    }

    const medians = Object.fromEntries(VARIANTS.map((variant) => [variant, summarize(phases.filter((p) => p.variant === variant))])) as ReportingBenchResult['medians'];
    const ratioOf = (baseline: 'plain' | 'transaction') => {
      const perRound = Array.from({ length: settings.rounds }, (_, i) => {
        const of = (variant: Variant) => phases.find((p) => p.round === i + 1 && p.variant === variant)!.load.perSecond;
        return of('ours') / of(baseline);
      });
      return { median: median(perRound), perRound };
    };
    const problems = phases.flatMap((p) => p.problems.map((problem) => `round ${p.round} ${p.variant}: ${problem}`));
    const result: ReportingBenchResult = {
      options: settings,
      startedAt,
      durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
      machine,
      phases,
      medians,
      ratios: { plain: ratioOf('plain'), transaction: ratioOf('transaction') },
      valid: problems.length === 0,
      problems,
      markdown: '',
    };
    result.markdown = renderReportingMarkdown(result);
    return result;
  } finally {
    poster?.close();
    await server?.stop().catch((error: unknown) => log(`stopping the server: ${String(error)}`));
    closing = true;
    await pool.end().catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`).catch((error: unknown) => log(`dropping ${databaseName}: ${String(error)}`));
    await admin.end().catch(() => {});
    log(`database ${databaseName} dropped`);
  }
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
    postgresMsPerReport: perReport((cpu) => cpu.postgresMs),
    otherShare: median(phases.map((p) => p.cpu.otherMs / p.cpu.capacityMs)),
    sessions: {
      running: median(phases.map((p) => p.sessions.running)),
      waitingForLock: median(phases.map((p) => p.sessions.waitingForLock)),
      waitingForIo: median(phases.map((p) => p.sessions.waitingForIo)),
      idleInTransaction: median(phases.map((p) => p.sessions.idleInTransaction)),
    },
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

async function describeMachine(pool: pg.Pool): Promise<Machine> {
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
  };
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
