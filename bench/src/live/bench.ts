// The live benchmark: mutation → subscriber latency over WebSocket and SSE, delivered messages/s
// against a raw `ws` broadcast, RSS per idle subscriber, and the Redis hop between two instances.
// Every phase runs `runs` times; the report gives medians of the per-run figures.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { measureHop, startPair, type InstancePair } from './hop.ts';
import { currentCursor, eventsOperation, percentiles, timeReports, warmUp, type Percentiles } from './latency.ts';
import { heapAfterGc, type HeapReading } from './inspector.ts';
import { idleMemory, type IdleMemory, startIdleServer } from './memory.ts';
import { createReporter, type Reporter, SEED_CHECKPOINT_IDS } from './reports.ts';
import { createToken } from '../shared/tokens.ts';
import { cleanEnv } from '../shared/databases.ts';
import { createLiveDatabase, type LiveServer, redisVersion, startLiveServer, startRawBroadcaster, type RawBroadcaster } from './server.ts';
import { openPool, type Transport } from './subscribers.ts';
import { oursThroughput, rawThroughput, type OursThroughput, type Throughput } from './throughput.ts';
import { type FanoutSide, oursFanout, rawFanout } from './fanout.ts';
import { describeMachine, type Machine } from '../shared/machine.ts';
import { benchDir, repoRoot } from '../shared/paths.ts';


/** The phases of the live bench, in the order they run. */
export const LIVE_PHASES = ['latency', 'throughput', 'fanout', 'idle', 'hop'] as const;
export type LivePhase = (typeof LIVE_PHASES)[number];

export interface FanoutConfig {
  subscribers: number;
  /** Reports per second, on schedule. */
  rate: number;
}

export interface LiveSettings {
  runs: number;
  phases: LivePhase[];
  /** Coalesced fan-out: configurations, seconds of reports each, the coalescing interval of both sides. */
  fanout: FanoutConfig[];
  fanoutSeconds: number;
  fanoutIntervalMs: number;
  /** Subscriber counts of the latency phase. */
  sizes: number[];
  transports: Transport[];
  /** Timed reports per latency configuration and run... */
  latencyReports: number;
  /** ...and with 1,000 subscribers or more (each report is then 1,000 deliveries). */
  latencyReportsLarge: number;
  warmupReports: number;
  burstSubscribers: number;
  burstReports: number;
  burstConcurrency: number;
  idleSubscribers: number;
  /** Timed reports per instance (A and B) and run, with Redis; and without it (poll). */
  hopReports: number;
  pollReports: number;
  adminUrl: string;
  redisUrl: string;
  /** Longest wait for any one report or burst to reach every subscriber. */
  timeoutMs: number;
}

export function liveSettings(quick: boolean, env: NodeJS.ProcessEnv = process.env): LiveSettings {
  return {
    runs: quick ? 1 : 5,
    phases: [...LIVE_PHASES],
    fanout: quick
      ? [
          { subscribers: 100, rate: 20 },
          { subscribers: 300, rate: 20 },
        ]
      : [
          // 167 reports/s (the province's rate) is beyond what the write path sustains on the shared
          // 2-core machine today (reports back up for tens of seconds, which the latency then
          // measures); the fan-out is compared at a rate the writes keep up with.
          { subscribers: 1000, rate: 20 },
          { subscribers: 5000, rate: 20 },
        ],
    fanoutSeconds: quick ? 3 : 10,
    fanoutIntervalMs: 250,
    sizes: quick ? [1, 100] : [1, 100, 1000],
    transports: ['ws', 'sse'],
    latencyReports: quick ? 10 : 50,
    latencyReportsLarge: quick ? 5 : 20,
    warmupReports: 2,
    burstSubscribers: quick ? 200 : 1000,
    burstReports: quick ? 30 : 60,
    burstConcurrency: 16,
    idleSubscribers: quick ? 200 : 1000,
    hopReports: quick ? 10 : 50,
    pollReports: quick ? 4 : 8,
    adminUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    timeoutMs: 180_000,
  };
}

export interface LatencyRun extends Percentiles {
  run: number;
  mutationP50: number;
  connectSeconds: number;
  /** Heap still in use after a forced GC, per subscriber per timed event, subscribers connected (bytes). */
  retainedPerDelivery?: number;
}

export interface LatencyCell {
  transport: Transport;
  size: number;
  runs: LatencyRun[];
}

export interface ThroughputRun {
  run: number;
  ours: OursThroughput;
  raw: Throughput;
  ratio: number;
}

export interface FanoutRun {
  run: number;
  config: FanoutConfig;
  ours: FanoutSide;
  raw: FanoutSide;
  /** Which side went first. */
  first: 'ours' | 'raw';
}

export interface HopCell {
  bus: 'redis' | 'poll';
  runs: {
    run: number;
    /** The subscriber on B: reports sent to A (across the hop) and to B (no hop). */
    fromA: Percentiles;
    fromB: Percentiles;
    /** Per report, other instance's subscriber − receiving instance's subscriber. */
    paired: Percentiles;
    mutationP50: number;
  }[];
}

export interface LiveResult {
  settings: LiveSettings;
  machine: Machine;
  redisVersion: string;
  wsVersion: string;
  startedAt: Date;
  seconds: number;
  loadAverages: { phase: string; load1: number }[];
  latency: LatencyCell[];
  /** Memory of the latency/throughput server over its life, each after a forced GC. */
  latencyServerMemory: [string, HeapReading][];
  throughput: ThroughputRun[];
  fanout: FanoutRun[];
  memory: IdleMemory[];
  hops: HopCell[];
  /** Warning/error lines the servers logged, per server. */
  serverWarnings: { server: string; count: number; lines: string[] }[];
  /** Reports that failed and were retried with the same idempotency key, per phase. */
  retries: { phase: string; count: number; reasons: string[] }[];
  /** Phases that failed, with why. */
  failures: string[];
  /** Anomalies seen while measuring: errors in results, unexpected closes. */
  problems: string[];
}

const log = (line: string) => process.stderr.write(`[live ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

export async function runLiveBench(settings: LiveSettings): Promise<LiveResult> {
  const started = performance.now();
  const result: LiveResult = {
    settings,
    machine: await describeMachine(settings.adminUrl),
    // Without Redis the rest still runs; the Redis row of the hop then reports the failure.
    redisVersion: await redisVersion(settings.redisUrl).catch((error: Error) => `unreachable (${error.message})`),
    wsVersion: (JSON.parse(readFileSync(resolve(benchDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies.ws ?? 'unknown',
    startedAt: new Date(),
    seconds: 0,
    loadAverages: [],
    latency: [],
    latencyServerMemory: [],
    throughput: [],
    fanout: [],
    memory: [],
    hops: [],
    serverWarnings: [],
    retries: [],
    failures: [],
    problems: [],
  };
  const phase = (name: string) => {
    result.loadAverages.push({ phase: name, load1: os.loadavg()[0] ?? 0 });
    log(`${name} (load ${(os.loadavg()[0] ?? 0).toFixed(1)})`);
  };
  const database = await createLiveDatabase(settings.adminUrl);
  log(`database ${database.name}`);
  try {
    // The token command migrates the empty database and loads reference data before it creates
    // the token, so every server after it finds the database ready.
    const token = await createToken({ repoRoot, env: { ...cleanEnv(), DATABASE_URL: database.url }, role: 'admin', label: 'bench live' });
    const runs = (name: LivePhase) => settings.phases.includes(name);
    // Latency and throughput share one server: PostgreSQL, no coalescing.
    if (runs('latency') || runs('throughput')) {
      phase('latency');
      const server = await startLiveServer('fangkong (latency, throughput)', repoRoot, { DATABASE_URL: database.url, FANGKONG_MIN_INTERVAL_MS: '0' }, { inspect: true });
      try {
        await noteMemory(result, server, 'started');
        if (runs('latency')) await latencyPhase(server, token, settings, result);
        phase('throughput');
        if (runs('throughput')) await throughputPhase(server, token, settings, result);
      } finally {
        await server.stop();
        keepWarnings(result, server);
      }
    }

    if (runs('fanout')) {
      phase('coalesced fan-out');
      await fanoutPhase(database.url, token, settings, result);
    }

    if (runs('idle')) {
      phase('idle memory');
      await idlePhase(database.url, token, settings, result);
    }

    if (runs('hop')) {
      phase('redis hop');
      await hopPhase(database.url, token, settings, result);
    }
  } finally {
    await database.drop().catch((error: Error) => result.failures.push(`dropping ${database.name}: ${error.message}`));
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

/** Heap and RSS of a server started with `inspect`, after a forced GC. */
function heapOf(server: LiveServer): Promise<HeapReading> {
  if (!server.inspectorUrl) throw new Error(`${server.name} printed no inspector URL`);
  return heapAfterGc(server.inspectorUrl, server.pid);
}

async function noteMemory(result: LiveResult, server: LiveServer, when: string): Promise<void> {
  try {
    result.latencyServerMemory.push([when, await heapOf(server)]);
  } catch (error) {
    result.problems.push(`reading the server's memory ${when}: ${(error as Error).message}`);
  }
}

function keepRetries(result: LiveResult, phase: string, reporter: Reporter): void {
  if (reporter.retried.count) result.retries.push({ phase, count: reporter.retried.count, reasons: reporter.retried.reasons.slice(0, 5) });
}

/** Keeps what a server logged at warn/error, and whether it died on its own. Call after stop(). */
function keepWarnings(result: LiveResult, server: LiveServer): void {
  if (server.warnings.count) result.serverWarnings.push({ server: server.name, count: server.warnings.count, lines: server.warnings.lines.slice(0, 10) });
  const exited = server.exited();
  if (exited) result.failures.push(exited);
}

/** Alternates which transport goes first from run to run. */
function ordered<T>(items: T[], run: number): T[] {
  return run % 2 ? items : [...items].reverse();
}

async function latencyPhase(server: LiveServer, token: string, settings: LiveSettings, result: LiveResult): Promise<void> {
  const reporter = createReporter(server.graphqlUrl, token);
  try {
    for (let run = 1; run <= settings.runs; run++) {
      for (const size of settings.sizes) {
        for (const transport of ordered(settings.transports, run)) {
          let cell = result.latency.find((c) => c.transport === transport && c.size === size);
          if (!cell) result.latency.push((cell = { transport, size, runs: [] }));
          try {
            const cursor = await currentCursor(server.graphqlUrl, reporter);
            const connectStart = performance.now();
            const pool = await openPool({ transport, graphqlUrl: server.graphqlUrl, size, operation: eventsOperation(cursor), token });
            try {
              await warmUp(pool, reporter, settings.warmupReports, settings.timeoutMs);
              const connectSeconds = (performance.now() - connectStart) / 1000;
              const reports = size >= 1000 ? settings.latencyReportsLarge : settings.latencyReports;
              // With many subscribers, the heap before and after (outside the timing) shows what one
              // event leaves behind per connected subscriber when events come one at a time.
              const heapBefore = size >= 1000 ? await heapOf(server) : undefined;
              const timed = await timeReports(pool, reporter, reports, settings.timeoutMs);
              const heapAfter = heapBefore ? await heapOf(server) : undefined;
              const stats = percentiles(timed.latencies);
              cell.runs.push({
                run,
                ...stats,
                mutationP50: percentiles(timed.mutationMs).p50,
                connectSeconds,
                retainedPerDelivery: heapBefore && heapAfter ? (heapAfter.heapUsed - heapBefore.heapUsed) / (reports * size) : undefined,
              });
              result.problems.push(...pool.problems.slice(0, 5).map((p) => `latency ${transport} ×${size} run ${run}: ${p}`));
              log(`  ${transport} ×${size} run ${run}: p50 ${stats.p50.toFixed(1)} ms, p99 ${stats.p99.toFixed(1)} ms, max ${stats.max.toFixed(1)} ms (${stats.count} deliveries)`);
            } finally {
              await pool.close();
            }
          } catch (error) {
            result.failures.push(`latency ${transport} ×${size} run ${run}: ${(error as Error).message}`);
          }
        }
      }
      await noteMemory(result, server, `after latency run ${run}`);
    }
  } finally {
    keepRetries(result, 'latency', reporter);
    reporter.close();
  }
}

async function throughputPhase(server: LiveServer, token: string, settings: LiveSettings, result: LiveResult): Promise<void> {
  const reporter = createReporter(server.graphqlUrl, token, settings.burstConcurrency * 2);
  let raw: RawBroadcaster | undefined;
  try {
    raw = await startRawBroadcaster(resolve(dirname(fileURLToPath(import.meta.url)), 'raw-broadcast.ts'));
    let sample: string | undefined;
    for (let run = 1; run <= settings.runs; run++) {
      try {
        const measureOurs = () =>
          oursThroughput(server.graphqlUrl, reporter, settings.burstSubscribers, settings.burstReports, settings.burstConcurrency, settings.timeoutMs, () => heapOf(server));
        const measureRaw = (message: string) => rawThroughput(raw!.url, message, settings.burstSubscribers, settings.burstReports, settings.timeoutMs);
        let ours: OursThroughput;
        let baseline: Throughput;
        // The baseline needs a real message first; after that the order alternates.
        if (!sample || run % 2) {
          ours = await measureOurs();
          sample ??= ours.sample;
          baseline = await measureRaw(sample);
        } else {
          baseline = await measureRaw(sample);
          ours = await measureOurs();
        }
        const ratio = ours.perSecond / baseline.perSecond;
        result.throughput.push({ run, ours, raw: baseline, ratio });
        result.problems.push(...ours.problems.slice(0, 5).map((p) => `throughput run ${run}: ${p}`));
        log(`  run ${run}: ours ${Math.round(ours.perSecond)}/s (${ours.seconds.toFixed(2)} s, burst answered in ${ours.committedSeconds.toFixed(2)} s), raw ${Math.round(baseline.perSecond)}/s (${baseline.seconds.toFixed(2)} s); ratio ${ratio.toFixed(3)}`);
      } catch (error) {
        result.failures.push(`throughput run ${run}: ${(error as Error).message}`);
      }
      await noteMemory(result, server, `after throughput run ${run}`);
    }
  } finally {
    keepRetries(result, 'throughput', reporter);
    reporter.close();
    await raw?.stop();
  }
}

/**
 * Ours and the raw broadcaster, both coalescing at the same interval, the same subscribers and the
 * same report schedule; sides alternate from run to run (the raw side needs one message of ours as
 * its template, so the very first measurement is ours).
 */
async function fanoutPhase(databaseUrl: string, token: string, settings: LiveSettings, result: LiveResult): Promise<void> {
  const server = await startLiveServer('fangkong (coalesced fan-out)', repoRoot, { DATABASE_URL: databaseUrl, FANGKONG_MIN_INTERVAL_MS: String(settings.fanoutIntervalMs) });
  // Thousands of one-second periods: spread over the seed's checkpoints, so that they all fall within today.
  const reporter = createReporter(server.graphqlUrl, token, 64, SEED_CHECKPOINT_IDS);
  let raw: RawBroadcaster | undefined;
  try {
    raw = await startRawBroadcaster(resolve(dirname(fileURLToPath(import.meta.url)), 'raw-broadcast.ts'));
    let template: string | undefined;
    for (let run = 1; run <= settings.runs; run++) {
      for (const config of settings.fanout) {
        try {
          const measureOurs = async () => {
            const ours = await oursFanout(server, reporter, config.subscribers, config.rate, settings.fanoutSeconds, settings.timeoutMs);
            template ??= ours.sample;
            return ours;
          };
          const measureRaw = () => rawFanout(raw!, template!, config.subscribers, config.rate, settings.fanoutSeconds, settings.fanoutIntervalMs, settings.timeoutMs);
          const first = !template || run % 2 ? 'ours' : 'raw';
          let ours: FanoutSide;
          let baseline: FanoutSide;
          if (first === 'ours') {
            ours = await measureOurs();
            baseline = await measureRaw();
          } else {
            baseline = await measureRaw();
            ours = await measureOurs();
          }
          const { sample: _sample, ...oursFigures } = ours as FanoutSide & { sample?: string };
          result.fanout.push({ run, config, ours: oursFigures, raw: baseline, first });
          log(
            `  ×${config.subscribers} at ${config.rate}/s run ${run}: p99 ours ${ours.latency.p99.toFixed(0)} / raw ${baseline.latency.p99.toFixed(0)} ms; ` +
              `${Math.round(ours.perSecond)} / ${Math.round(baseline.perSecond)} msg/s; reports answered p99 ${ours.answered?.p99.toFixed(0)} ms; CPU ${ours.cpuMicrosPerMessage.toFixed(1)} (fan-out ${ours.fanoutCpuMicrosPerMessage.toFixed(1)}) / ${baseline.cpuMicrosPerMessage.toFixed(1)} µs per message`,
          );
        } catch (error) {
          result.failures.push(`fan-out ×${config.subscribers} at ${config.rate}/s run ${run}: ${(error as Error).message}`);
        }
      }
    }
  } finally {
    keepRetries(result, 'fan-out', reporter);
    reporter.close();
    await raw?.stop();
    await server.stop();
    keepWarnings(result, server);
  }
}

/** One server per transport, both up for the whole phase so the runs can alternate between them. */
async function idlePhase(databaseUrl: string, token: string, settings: LiveSettings, result: LiveResult): Promise<void> {
  const servers = new Map<Transport, LiveServer>();
  try {
    for (const transport of settings.transports) servers.set(transport, await startIdleServer(repoRoot, databaseUrl, token, transport));
    for (let run = 1; run <= settings.runs; run++) {
      for (const transport of ordered(settings.transports, run)) {
        try {
          const memory = await idleMemory(servers.get(transport)!, token, transport, settings.idleSubscribers, 1500);
          result.memory.push(memory);
          result.problems.push(...memory.problems.slice(0, 5).map((p) => `idle ${transport} run ${run}: ${p}`));
          log(
            `  idle ${transport} run ${run}: ${memory.perSubscriberRssKiB.toFixed(1)} KiB RSS, ${memory.perSubscriberHeapKiB.toFixed(1)} KiB heap per subscriber ` +
              `(RSS ${memory.before.rssKiB} → ${memory.with.rssKiB} → ${memory.after.rssKiB} KiB)`,
          );
        } catch (error) {
          result.failures.push(`idle memory ${transport} run ${run}: ${(error as Error).message}`);
        }
      }
    }
  } catch (error) {
    result.failures.push(`idle memory: ${(error as Error).message}`);
  } finally {
    for (const server of servers.values()) {
      await server.stop();
      keepWarnings(result, server);
    }
  }
}

async function hopPhase(databaseUrl: string, token: string, settings: LiveSettings, result: LiveResult): Promise<void> {
  const prefix = `fangkong-bench-live-${process.pid}-${Date.now()}:`;
  for (const bus of ['redis', 'poll'] as const) {
    let pair: InstancePair | undefined;
    const cell: HopCell = { bus, runs: [] };
    result.hops.push(cell);
    try {
      const redis = bus === 'redis' ? { url: settings.redisUrl, prefix } : undefined;
      pair = await startPair(repoRoot, databaseUrl, redis).catch(async (error: Error) => {
        // Once more: on a shared machine a start can fail for reasons of its own (a stray signal).
        result.problems.push(`hop ${bus}: starting the pair failed once: ${error.message.split('\n')[0]}`);
        return startPair(repoRoot, databaseUrl, redis);
      });
      for (let run = 1; run <= settings.runs; run++) {
        try {
          // Without Redis, reports sent back to back lock onto the poll timers' phase; a random pause
          // before each one samples the whole poll interval instead.
          const hop = await measureHop(pair, token, bus === 'redis' ? settings.hopReports : settings.pollReports, settings.timeoutMs, bus === 'redis' ? 0 : 1000);
          const fromA = percentiles(hop.toA.atB);
          const fromB = percentiles(hop.toB.atB);
          const paired = percentiles(hop.pairedHop);
          cell.runs.push({ run, fromA, fromB, paired, mutationP50: percentiles(hop.mutationMs).p50 });
          if (hop.retried.count) result.retries.push({ phase: `hop ${bus} run ${run}`, count: hop.retried.count, reasons: hop.retried.reasons.slice(0, 5) });
          log(
            `  ${bus} run ${run}: on B, from A p50 ${fromA.p50.toFixed(1)} / p99 ${fromA.p99.toFixed(1)} ms, from B p50 ${fromB.p50.toFixed(1)} / p99 ${fromB.p99.toFixed(1)} ms; ` +
              `paired hop p50 ${paired.p50.toFixed(2)} / p99 ${paired.p99.toFixed(2)} ms`,
          );
        } catch (error) {
          result.failures.push(`hop ${bus} run ${run}: ${(error as Error).message}`);
        }
      }
    } catch (error) {
      result.failures.push(`hop ${bus}: ${(error as Error).message}`);
    } finally {
      if (pair) {
        await pair.stop();
        keepWarnings(result, pair.a);
        keepWarnings(result, pair.b);
      }
    }
  }
}
