// A province on one box (issue 21): a synthetic province in a database of its own, two server
// instances on PostgreSQL + Redis, a realistic mix of WebSocket subscribers attached to both, and
// reports arriving on a fixed schedule (open loop: the schedule does not wait for answers, so a slow
// server shows as latency, not as a lower rate). Per round: report latency, report → subscriber
// latency, delivered messages/s, CPU and RSS per process, errors; after the rounds: nothing lost.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { buildProvince, PROVINCE_ROOT, type Province, type ProvinceShape, provinceOf } from './fixture.ts';
import { cpuBetween, type CpuUse, snapshotCpu } from '../reporting/cpu.ts';
import { percentile } from '../reporting/load.ts';
import { checkpointGlobalId, randomReport } from '../reporting/rows.ts';
import { graphqlPoster, type ServerProcess, startServer } from '../reporting/server.ts';
import { redisVersion, rssKiB } from '../live/server.ts';
import { type Delivery, openPool as openSubscribers, type SubscriberPool } from '../live/subscribers.ts';
import { createEmptyDatabase } from '../shared/databases.ts';
import { repoRoot } from '../shared/paths.ts';
import { createToken } from '../shared/tokens.ts';

export interface ProvinceOptions {
  shape: Omit<ProvinceShape, 'historyEnd'>;
  subscribers: number;
  /** Reports per second, across both instances. */
  rate: number;
  rounds: number;
  seconds: number;
  /** Area summaries ask for at most one update per this many ms (a command-room wall). */
  summaryIntervalMs: number;
  postgresUrl: string;
  redisUrl: string;
  /**
   * Run the servers on a demo clock starting here (FANGKONG_CLOCK_START) and date the history and
   * the reports by it: "today" is then the same whatever the hour (the smoke starts at noon, far
   * from midnight). Each server's clock starts when it does: reports are dated by the one started last.
   */
  clockStart?: Date;
  /** A database built by an earlier run (BENCH_KEEP_DATABASE=1) with the same shape, reused. */
  reuseUrl?: string;
  keep: boolean;
  log(line: string): void;
}

// The subscribers' operations: a city's (or the province's) summary on a wall, a screen of 20
// checkpoints' counts, a partner's lossless `events` stream of reports.
const AREA_SUMMARY = 'subscription($area: ID, $every: Int) { zoneSummary(within: $area, minIntervalMs: $every) { checkpointTotals { reports peopleScreened feverCases } asOfSeq } }';
const CHECKPOINT_LIST = 'subscription($ids: [ID!]) { checkpointCounts(checkpointIds: $ids) { checkpoint { name } today { peopleScreened reports } asOfSeq } }';
// Without `after`, a stream starts at the head: every subscriber is attached before the first report.
const REPORT_EVENTS = 'subscription { events(types: [CHECKPOINT_REPORT_REPORTED]) { cursor subjectId } }';
const AREA_REPORTS = 'query($area: ID) { zoneSummary(within: $area) { checkpointTotals { reports } } }';
const REPORT = `mutation Report($input: ReportCheckpointCountsInput!) {
  reportCheckpointCounts(input: $input) { __typename ... on CheckpointReportPayload { duplicate report { id } } ... on Error { code message } } }`;

const areaGlobalId = (id: string) => Buffer.from(`Area:${id}`).toString('base64');
const RETRYABLE = /"code":"(DATABASE_UNAVAILABLE|SERVER_BUSY)"/;

/** The subscriber mix: 60 % area summaries (cities and the province), 0.4 % `events`, the rest screens of 20 checkpoints. */
export function mixOf(total: number) {
  const events = Math.max(1, Math.round(total * 0.004));
  const summaries = Math.round(total * 0.6);
  return { summaries, lists: total - summaries - events, events };
}

interface SentReport {
  key: string;
  city: string;
  /** performance.now() when the schedule said to send it. */
  due: number;
  answeredAt?: number;
  id?: string;
  problem?: string;
  retried: number;
}

export interface ProvinceRound {
  round: number;
  sent: number;
  accepted: number;
  errors: number;
  retried: number;
  /** Reports per second taken (accepted over the schedule's span). */
  takenPerSecond: number;
  reportP50: number;
  reportP99: number;
  /** Report → `events` subscriber (every delivery), ms. */
  eventsP50: number;
  eventsP99: number;
  /** Report → the first area-summary update that counts it, at sampled subscribers, ms. */
  summaryP50: number;
  summaryP99: number;
  /** Messages delivered to all subscribers per second, from the round's first report until its events were all delivered. */
  deliveredPerSecond: number;
  /** How long after the last scheduled report the last event reached every `events` subscriber, ms (or the wait's limit). */
  drainMs: number;
  cpu: CpuUse;
  redisMs: number | null;
  rssKiB: { a: number; b: number; bench: number; redis: number | null };
  loadAverage: number;
  problems: string[];
}

export interface ProvinceResult {
  options: Omit<ProvinceOptions, 'log'>;
  startedAt: Date;
  seconds: number;
  machine: string;
  province: { areas: number; checkpoints: number; lines: number; historyRows: number; loadSeconds: number | null };
  mix: ReturnType<typeof mixOf>;
  connectSeconds: number;
  rounds: ProvinceRound[];
  lost: { accepted: number; stored: number; events: number; deliveries: number; expectedDeliveries: number; duplicates: number };
  problems: string[];
  loadAverage: { start: number; end: number };
}

export async function runProvinceBench(options: ProvinceOptions): Promise<ProvinceResult> {
  const { log } = options;
  const startedAt = new Date();
  const loadAtStart = loadavg()[0] ?? 0;
  const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const redisAt = await redisVersion(options.redisUrl).catch((error: Error) => {
    throw new Error(`two instances share their live updates through Redis: ${error.message} (set BENCH_REDIS_URL)`);
  });
  const db = options.reuseUrl ? { url: options.reuseUrl, drop: async () => {} } : await createEmptyDatabase(options.postgresUrl, process.env.BENCH_DATABASE_PREFIX ?? 'fangkong_bench_province');
  const redis = { url: options.redisUrl, prefix: `fangkong-bench-province-${runTag}:` };
  const client = new pg.Client({ connectionString: db.url });
  const servers: ServerProcess[] = [];
  const pools: SubscriberPool[] = [];
  const posters: ReturnType<typeof graphqlPoster>[] = [];
  try {
    // The first server migrates the database and loads the zone's reference data; the province goes in beside it.
    const serverEnv = { FANGKONG_WS_MAX_PER_ADDRESS: '0', FANGKONG_STATEMENT_TIMEOUT_MS: '30000', ...(options.clockStart ? { FANGKONG_CLOCK_START: options.clockStart.toISOString() } : {}) };
    let launched = Date.now();
    // The servers' "now", a minute back: a server's demo clock starts when it does, after this (and
    // the second server's, started after the history is built, is the one behind: see below).
    const serverNow = () => (options.clockStart ? options.clockStart.getTime() + (Date.now() - launched) : Date.now()) - 60_000;
    servers.push(await startServer({ repoRoot, databaseUrl: db.url, redis, env: serverEnv }));
    await client.connect();
    const historyEnd = new Date(Math.floor(serverNow() / 60_000) * 60_000 - 5 * 60_000);
    const loadStarted = Date.now();
    const built = options.reuseUrl ? await reusedProvince(client, options.shape) : null;
    const province = built ?? (await buildProvince(client, { ...options.shape, historyEnd }, log));
    const loadSeconds = built ? null : (Date.now() - loadStarted) / 1000;
    // On a demo clock the second server's starts minutes after the first's (the build between): reports
    // are dated by the later one, so no report is in either server's future.
    launched = Date.now();
    servers.push(await startServer({ repoRoot, databaseUrl: db.url, redis, env: serverEnv }));
    const [a, b] = servers as [ServerProcess, ServerProcess];
    log(`servers pid ${a.pid} at ${a.url}, pid ${b.pid} at ${b.url} (Redis ${redisAt})`);
    const env = { ...process.env, DATABASE_URL: db.url };
    const token = await createToken({ repoRoot, env, role: 'admin', label: 'province bench' });
    posters.push(graphqlPoster(a.url, 64, token), graphqlPoster(b.url, 64, token));
    const ask = async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
      const answer = await posters[0]!.post(JSON.stringify({ query, variables }));
      const body = JSON.parse(answer.body) as { data?: T; errors?: unknown };
      if (answer.status !== 200 || body.errors || !body.data) throw new Error(`${query.slice(0, 60)}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
      return body.data;
    };

    // Subscribers, half on each instance. Area summaries record what they receive (for latency);
    // the lists only count; `events` record (latency, and every report exactly once).
    const mix = mixOf(options.subscribers);
    const areas = [province.rootId, ...province.cityIds];
    const summaryPools = new Map<string, SubscriberPool[]>();
    const eventPools: SubscriberPool[] = [];
    const connectStarted = Date.now();
    const split = (n: number) => [[a, Math.ceil(n / 2)], [b, Math.floor(n / 2)]] as const;
    // A server too busy to take a subscription answers 1013 "try again later", as it would any
    // client: the bench tries again, as a wall display does.
    const openPool = async (options: Parameters<typeof openSubscribers>[0]): Promise<SubscriberPool> => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await openSubscribers(options);
        } catch (error) {
          if (attempt >= 5 || !/ 1013 /.test(String(error))) throw error;
          log(`subscribers refused (${String(error).slice(0, 120)}); again in ${attempt * 2} s`);
          await new Promise((resolve) => setTimeout(resolve, attempt * 2000));
        }
      }
    };
    for (const [index, area] of areas.entries()) {
      const share = Math.floor(mix.summaries / areas.length) + (index < mix.summaries % areas.length ? 1 : 0);
      for (const [server, size] of split(share)) {
        if (!size) continue;
        const pool = await openPool({ transport: 'ws', graphqlUrl: server.url, size, token, operation: { query: AREA_SUMMARY, variables: { area: areaGlobalId(area), every: options.summaryIntervalMs } } });
        pools.push(pool);
        summaryPools.set(area, [...(summaryPools.get(area) ?? []), pool]);
      }
    }
    // Screens of 20 checkpoints: consecutive blocks of the province's checkpoints, each block on about four screens.
    const blocks = Math.max(1, Math.min(Math.ceil(mix.lists / 4), Math.floor(province.checkpointIds.length / 20)));
    for (let block = 0; block < blocks; block++) {
      const share = Math.floor(mix.lists / blocks) + (block < mix.lists % blocks ? 1 : 0);
      const ids = province.checkpointIds.slice(block * 20, block * 20 + 20).map(checkpointGlobalId);
      for (const [server, size] of split(share)) {
        if (size) pools.push(await openPool({ transport: 'ws', graphqlUrl: server.url, size, token, record: false, operation: { query: CHECKPOINT_LIST, variables: { ids } } }));
      }
    }
    for (const [server, size] of split(mix.events)) {
      if (!size) continue;
      const pool = await openPool({ transport: 'ws', graphqlUrl: server.url, size, token, operation: { query: REPORT_EVENTS } });
      pools.push(pool);
      eventPools.push(pool);
    }
    const connectSeconds = (Date.now() - connectStarted) / 1000;
    log(`${options.subscribers} subscribers attached in ${connectSeconds.toFixed(0)} s (${mix.summaries} area summaries, ${mix.lists} screens of 20 checkpoints in ${blocks} distinct lists, ${mix.events} events)`);

    const redisPid = await redisServerPid();
    const serverPids = servers.map((s) => s.pid);
    const backendPids = async () => (await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
    const delivered = () => pools.reduce((sum, p) => sum + p.delivered, 0);
    const eventsDelivered = () => eventPools.reduce((sum, p) => sum + p.delivered, 0);
    const eventSubscribers = eventPools.reduce((sum, p) => sum + p.size, 0);
    const allAccepted: SentReport[] = [];
    const seen = eventPools.map((p) => Array.from({ length: p.size }, () => new Map<string, number>()));
    let eventsExpected = 0;

    const round = async (number: number, seconds: number): Promise<ProvinceRound> => {
      // Settle: whatever the previous round left is delivered, and each area's count is read afresh.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      for (const pool of pools) pool.take();
      const base = new Map<string, number>();
      for (const area of areas) base.set(area, (await ask<{ zoneSummary: { checkpointTotals: { reports: number } } }>(AREA_REPORTS, { area: areaGlobalId(area) })).zoneSummary.checkpointTotals.reports);
      const before = snapshotCpu([...serverPids, ...(await backendPids()), ...(redisPid ? [redisPid] : [])]);
      const deliveredBefore = delivered();
      const sent: SentReport[] = [];
      const count = Math.round(options.rate * seconds);
      const started = performance.now();
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < count; i++) {
        const due = started + (i * 1000) / options.rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
        const row = randomReport(province.checkpointIds, `province-${runTag}-r${number}-${i}`, { endBy: options.clockStart ? Math.floor(serverNow() / 1000) * 1000 : undefined });
        const report: SentReport = { key: row.idempotencyKey, city: province.cityOf.get(row.checkpointId)!, due, retried: 0 };
        sent.push(report);
        inFlight.push(send(posters[i % 2]!, row, report));
      }
      await Promise.all(inFlight);
      const lastDue = started + ((count - 1) * 1000) / options.rate;
      const accepted = sent.filter((r) => r.id);
      allAccepted.push(...accepted);
      eventsExpected += accepted.length * eventSubscribers;
      // Drained: every `events` subscriber has every event so far (or 30 s have passed).
      const drainLimit = performance.now() + 30_000;
      while (eventsDelivered() < eventsExpected && performance.now() < drainLimit) await new Promise((resolve) => setTimeout(resolve, 20));
      const drainedAt = eventsDelivered() >= eventsExpected ? lastEventArrival(eventPools) : performance.now();
      const after = snapshotCpu([...serverPids, ...(await backendPids()), ...(redisPid ? [redisPid] : [])]);
      const windowMs = Math.max(1, drainedAt - started);
      const deliveries = delivered() - deliveredBefore;
      const backends = [...after.processMs.keys()].filter((pid) => !serverPids.includes(pid) && pid !== redisPid);
      const cpu = cpuBetween(before, after, serverPids, backends);
      const redisMs = redisPid && after.processMs.has(redisPid) ? after.processMs.get(redisPid)! - (before.processMs.get(redisPid) ?? 0) : null;

      // Latencies. Events: every delivery of a report of this round, from when it was due.
      const byId = new Map(accepted.map((r) => [r.id!, r]));
      const eventLatencies: number[] = [];
      for (const [p, pool] of eventPools.entries()) {
        for (const [s, deliveries] of pool.take().entries()) {
          const seenBy = seen[p]![s]!;
          for (const d of deliveries) {
            const id = (d.data as { events: { subjectId: string } }).events.subjectId;
            seenBy.set(id, (seenBy.get(id) ?? 0) + 1);
            const report = byId.get(id);
            if (report) eventLatencies.push(d.at - report.due);
          }
        }
      }
      const summaryLatencies = areaLatencies(areas, summaryPools, accepted, base, province.rootId);
      const answered = accepted.map((r) => r.answeredAt! - r.due).sort((x, y) => x - y);
      eventLatencies.sort((x, y) => x - y);
      summaryLatencies.sort((x, y) => x - y);
      const problems = [...new Set(sent.filter((r) => r.problem).map((r) => r.problem!.slice(0, 200)))].slice(0, 5);
      problems.push(...pools.flatMap((p) => p.problems.splice(0)).slice(0, 5));
      return {
        round: number,
        sent: count,
        accepted: accepted.length,
        errors: sent.length - accepted.length,
        retried: sent.reduce((sum, r) => sum + r.retried, 0),
        takenPerSecond: accepted.length / (Math.max(1, Math.max(...accepted.map((r) => r.answeredAt!), lastDue) - started) / 1000),
        reportP50: percentileOf(answered, 0.5),
        reportP99: percentileOf(answered, 0.99),
        eventsP50: percentileOf(eventLatencies, 0.5),
        eventsP99: percentileOf(eventLatencies, 0.99),
        summaryP50: percentileOf(summaryLatencies, 0.5),
        summaryP99: percentileOf(summaryLatencies, 0.99),
        deliveredPerSecond: deliveries / (windowMs / 1000),
        drainMs: drainedAt - lastDue,
        cpu,
        redisMs,
        rssKiB: { a: rssKiB(a.pid), b: rssKiB(b.pid), bench: Math.round(process.memoryUsage().rss / 1024), redis: redisPid ? safeRss(redisPid) : null },
        loadAverage: loadavg()[0] ?? 0,
        problems,
      };
    };

    const warm = await round(0, Math.min(3, options.seconds));
    log(`warm-up: ${warm.accepted} of ${warm.sent} reports taken${warm.problems.length ? `; ${warm.problems.join('; ')}` : ''}`);
    const rounds: ProvinceRound[] = [];
    for (let n = 1; n <= options.rounds; n++) {
      const r = await round(n, options.seconds);
      rounds.push(r);
      log(
        `round ${n}/${options.rounds}: ${r.takenPerSecond.toFixed(0)} reports/s taken (${r.errors} errors), report p50 ${r.reportP50.toFixed(0)} / p99 ${r.reportP99.toFixed(0)} ms, ` +
          `events p99 ${r.eventsP99.toFixed(0)} ms, summaries p99 ${r.summaryP99.toFixed(0)} ms, ${r.deliveredPerSecond.toFixed(0)} msg/s, drain ${r.drainMs.toFixed(0)} ms, load ${r.loadAverage.toFixed(1)}`,
      );
    }

    // Nothing lost: every accepted report is stored once with its event, and reached every `events` subscriber once.
    const keys = allAccepted.map((r) => r.key);
    const { rows } = await client.query<{ stored: string; events: string }>(
      `WITH mine AS (SELECT id FROM "CheckpointReport" WHERE "idempotencyKey" = ANY($1::text[]))
       SELECT (SELECT count(*) FROM mine) AS stored,
              (SELECT count(*) FROM "Event" e JOIN mine ON e."subjectType" = 'CheckpointReport' AND e."subjectId" = mine.id) AS events`,
      [keys],
    );
    const ids = new Set(allAccepted.map((r) => r.id!));
    let deliveries = 0;
    let duplicates = 0;
    for (const subscriber of seen.flat()) {
      for (const id of ids) {
        const times = subscriber.get(id) ?? 0;
        if (times > 0) deliveries++;
        if (times > 1) duplicates += times - 1;
      }
    }
    const lost = {
      accepted: allAccepted.length,
      stored: Number(rows[0]!.stored),
      events: Number(rows[0]!.events),
      deliveries,
      expectedDeliveries: ids.size * eventSubscribers,
      duplicates,
    };
    const problems = [
      ...rounds.flatMap((r) => r.problems.map((p) => `round ${r.round}: ${p}`)),
      ...(lost.stored === lost.accepted ? [] : [`${lost.accepted} reports accepted, ${lost.stored} stored`]),
      ...(lost.events === lost.accepted ? [] : [`${lost.accepted} reports accepted, ${lost.events} outbox events`]),
      ...(lost.deliveries === lost.expectedDeliveries ? [] : [`events subscribers received ${lost.deliveries} of ${lost.expectedDeliveries} report events`]),
      ...(lost.duplicates ? [`events subscribers received ${lost.duplicates} duplicates`] : []),
    ];
    const areaCount = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM "Area" WHERE path LIKE '/' || $1 || '/%'`, [province.rootId])).rows[0]!.n);
    const { log: _log, ...shown } = options;
    const postgres = (await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v.split(' ')[0];
    return {
      options: shown,
      startedAt,
      seconds: (Date.now() - startedAt.getTime()) / 1000,
      machine: `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; PostgreSQL ${postgres}; Redis ${redisAt}`,
      province: { areas: areaCount, checkpoints: province.checkpointIds.length, lines: options.shape.lines, historyRows: province.historyRows, loadSeconds },
      mix,
      connectSeconds,
      rounds,
      lost,
      problems,
      loadAverage: { start: loadAtStart, end: loadavg()[0] ?? 0 },
    };
  } finally {
    await Promise.allSettled(pools.map((p) => p.close()));
    for (const poster of posters) poster.close();
    await Promise.all(servers.map((server) => server.stop().catch((error: unknown) => log(`stopping a server: ${String(error)}`))));
    await client.end().catch(() => {});
    if (options.keep || options.reuseUrl) log(`kept ${db.url}`);
    else await db.drop().catch((error: unknown) => log(`dropping the database: ${String(error)}`));
  }
}

/** A percentile of an ascending list; NaN (shown as n/a) when nothing was measured. */
const percentileOf = (sorted: readonly number[], q: number) => (sorted.length ? percentile(sorted, q) : Number.NaN);

/** Sends one report, retrying a retryable 503 after its Retry-After with the same key, as the simulator does. */
async function send(poster: ReturnType<typeof graphqlPoster>, row: ReturnType<typeof randomReport>, report: SentReport): Promise<void> {
  const { checkpointId, periodStart, periodEnd, ...rest } = row;
  const body = JSON.stringify({
    query: REPORT,
    variables: { input: { checkpointId: checkpointGlobalId(checkpointId), periodStart: periodStart.toISOString(), periodEnd: periodEnd.toISOString(), ...rest } },
  });
  try {
    let answer = await poster.post(body);
    while (answer.status === 503 && RETRYABLE.test(answer.body) && report.retried < 5) {
      report.retried++;
      await new Promise((resolve) => setTimeout(resolve, Math.min(answer.retryAfter ?? 1, 5) * 1000));
      answer = await poster.post(body);
    }
    report.answeredAt = performance.now();
    const parsed = JSON.parse(answer.body) as { errors?: unknown; data?: { reportCheckpointCounts?: { __typename: string; report?: { id: string }; code?: string; message?: string } } };
    const result = parsed.data?.reportCheckpointCounts;
    if (answer.status !== 200 || parsed.errors || result?.__typename !== 'CheckpointReportPayload' || !result.report) {
      report.problem = `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
      return;
    }
    report.id = result.report.id;
  } catch (error) {
    report.answeredAt = performance.now();
    report.problem = error instanceof Error ? error.message : String(error);
  }
}

/**
 * Report → the first area-summary update counting it, at each area's subscribers (of both
 * instances, up to 20 sampled per area): the k-th accepted report of a city (in the order they were
 * due) is counted by the first update whose `reports` total reaches the round's starting total + k.
 * Commits may finish a little out of order, so a single figure may be off by the gap between
 * neighbours; the distribution is what it measures.
 */
function areaLatencies(areas: string[], summaryPools: Map<string, SubscriberPool[]>, accepted: SentReport[], base: Map<string, number>, rootId: string): number[] {
  const latencies: number[] = [];
  for (const area of areas) {
    const mine = accepted.filter((r) => area === rootId || r.city === area).sort((x, y) => x.due - y.due);
    const start = base.get(area)!;
    const subscribers = (summaryPools.get(area) ?? []).flatMap((pool) => pool.take()).slice(0, 20);
    for (const deliveries of subscribers) {
      const totals = deliveries.map((d: Delivery) => ({ at: d.at, reports: (d.data as { zoneSummary: { checkpointTotals: { reports: number } } }).zoneSummary.checkpointTotals.reports }));
      let next = 0;
      for (const [k, report] of mine.entries()) {
        while (next < totals.length && totals[next]!.reports < start + k + 1) next++;
        if (next === totals.length) break;
        latencies.push(totals[next]!.at - report.due);
      }
    }
  }
  return latencies;
}

function lastEventArrival(pools: SubscriberPool[]): number {
  return Math.max(...pools.map((p) => p.lastDeliveryAt));
}

async function reusedProvince(client: pg.Client, shape: ProvinceOptions['shape']): Promise<Province | null> {
  const { rows } = await client.query<{ checkpoints: number; cities: number; history: string }>(`SELECT
    (SELECT count(*)::int FROM "Checkpoint" WHERE id LIKE 'sim-cp-%') AS checkpoints,
    (SELECT count(*)::int FROM "Area" WHERE "parentId" = $1) AS cities,
    (SELECT count(*)::text FROM "CheckpointReport" WHERE "reportedBy" = 'sim') AS history`, [PROVINCE_ROOT]);
  const found = rows[0]!;
  if (!found.checkpoints) return null;
  if (found.checkpoints !== shape.checkpoints || found.cities !== shape.cities) throw new Error(`the reused database holds ${found.checkpoints} checkpoints in ${found.cities} cities, not ${shape.checkpoints} in ${shape.cities}`);
  return provinceOf(shape, Number(found.history));
}

async function redisServerPid(): Promise<number | null> {
  const { readdirSync, readFileSync } = await import('node:fs');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'redis-server') return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

function safeRss(pid: number): number | null {
  try {
    return rssKiB(pid);
  } catch {
    return null;
  }
}
