// The live benchmark: mutation → subscriber latency over WebSocket and SSE, delivered messages/s
// against a raw `ws` broadcast, RSS per idle subscriber, and the Redis hop between two instances.
// Every phase runs `runs` times; the report gives medians of the per-run figures.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { measureHop, startPair, type InstancePair } from './live-hop.ts';
import { currentCursor, eventsOperation, percentiles, timeReports, warmUp, type Percentiles } from './live-latency.ts';
import { idleMemory, type IdleMemory } from './live-memory.ts';
import { createReporter } from './live-reports.ts';
import { createBenchToken } from './live-tokens.ts';
import { createLiveDatabase, type LiveServer, redisVersion, rssKiB, startLiveServer, startRawBroadcaster, type RawBroadcaster } from './live-server.ts';
import { openPool, type Transport } from './live-subscribers.ts';
import { oursThroughput, rawThroughput, type OursThroughput, type Throughput } from './live-throughput.ts';
import { describeMachine, type Machine } from './machine.ts';

const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = resolve(benchDir, '..');

export interface LiveSettings {
  runs: number;
  /** Subscriber counts of the latency phase. */
  sizes: number[];
  transports: Transport[];
  /** Timed reports per latency configuration and run. */
  latencyReports: number;
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
    runs: quick ? 1 : 3,
    sizes: [1, 100, 1000],
    transports: ['ws', 'sse'],
    latencyReports: quick ? 10 : 50,
    warmupReports: 2,
    burstSubscribers: 1000,
    burstReports: quick ? 100 : 300,
    burstConcurrency: 16,
    idleSubscribers: 1000,
    hopReports: quick ? 10 : 50,
    pollReports: quick ? 4 : 10,
    adminUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    timeoutMs: 180_000,
  };
}

export interface LatencyRun extends Percentiles {
  run: number;
  mutationP50: number;
  connectSeconds: number;
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

export interface HopCell {
  bus: 'redis' | 'poll';
  runs: { run: number; viaA: Percentiles; viaB: Percentiles }[];
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
  /** RSS of the latency/throughput server over its life: [when, KiB]. */
  latencyServerRss: [string, number][];
  throughput: ThroughputRun[];
  memory: IdleMemory[];
  hops: HopCell[];
  /** Warning/error lines the servers logged, per server. */
  serverWarnings: { server: string; count: number; lines: string[] }[];
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
    redisVersion: await redisVersion(settings.redisUrl),
    wsVersion: (JSON.parse(readFileSync(resolve(benchDir, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies.ws ?? 'unknown',
    startedAt: new Date(),
    seconds: 0,
    loadAverages: [],
    latency: [],
    latencyServerRss: [],
    throughput: [],
    memory: [],
    hops: [],
    serverWarnings: [],
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
    // Latency and throughput share one server: PostgreSQL, no coalescing. Being the first, it
    // migrates the empty database; the bench's token can only be stored after that.
    phase('latency');
    const server = await startLiveServer('fangkong (latency, throughput)', repoRoot, { DATABASE_URL: database.url, FANGKONG_MIN_INTERVAL_MS: '0' });
    let token: string;
    try {
      token = await createBenchToken(database.url);
      result.latencyServerRss.push(['started', rssKiB(server.pid)]);
      await latencyPhase(server, token, settings, result);
      phase('throughput');
      await throughputPhase(server, token, settings, result);
      result.latencyServerRss.push(['after throughput', rssKiB(server.pid)]);
    } finally {
      await server.stop();
      keepWarnings(result, server);
    }

    phase('idle memory');
    for (let run = 1; run <= settings.runs; run++) {
      for (const transport of ordered(settings.transports, run)) {
        try {
          const memory = await idleMemory(repoRoot, database.url, token, transport, settings.idleSubscribers, 1500);
          result.memory.push(memory);
          result.problems.push(...memory.problems.slice(0, 5).map((p) => `idle ${transport} run ${run}: ${p}`));
          log(`  idle ${transport} run ${run}: ${memory.perSubscriberKiB.toFixed(1)} KiB per subscriber (${memory.before} → ${memory.with} → ${memory.after} KiB)`);
        } catch (error) {
          result.failures.push(`idle memory ${transport} run ${run}: ${(error as Error).message}`);
        }
      }
    }

    phase('redis hop');
    await hopPhase(database.url, token, settings, result);
  } finally {
    await database.drop().catch((error: Error) => result.failures.push(`dropping ${database.name}: ${error.message}`));
  }
  result.seconds = (performance.now() - started) / 1000;
  return result;
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
              const plan = Array.from({ length: settings.latencyReports }, () => 0);
              const timed = await timeReports(pool, [reporter], plan, settings.timeoutMs);
              const stats = percentiles(timed.latencies);
              cell.runs.push({ run, ...stats, mutationP50: percentiles(timed.mutationMs).p50, connectSeconds });
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
      result.latencyServerRss.push([`after latency run ${run}`, rssKiB(server.pid)]);
    }
  } finally {
    reporter.close();
  }
}

async function throughputPhase(server: LiveServer, token: string, settings: LiveSettings, result: LiveResult): Promise<void> {
  const reporter = createReporter(server.graphqlUrl, token, settings.burstConcurrency * 2);
  let raw: RawBroadcaster | undefined;
  try {
    raw = await startRawBroadcaster(resolve(dirname(fileURLToPath(import.meta.url)), 'live-raw-broadcast.ts'));
    let sample: string | undefined;
    for (let run = 1; run <= settings.runs; run++) {
      try {
        const measureOurs = () => oursThroughput(server.graphqlUrl, reporter, settings.burstSubscribers, settings.burstReports, settings.burstConcurrency, settings.timeoutMs);
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
      result.latencyServerRss.push([`after throughput run ${run}`, rssKiB(server.pid)]);
    }
  } finally {
    reporter.close();
    await raw?.stop();
  }
}

async function hopPhase(databaseUrl: string, token: string, settings: LiveSettings, result: LiveResult): Promise<void> {
  const prefix = `fangkong-bench-live-${process.pid}-${Date.now()}:`;
  for (const bus of ['redis', 'poll'] as const) {
    let pair: InstancePair | undefined;
    const cell: HopCell = { bus, runs: [] };
    result.hops.push(cell);
    try {
      pair = await startPair(repoRoot, databaseUrl, bus === 'redis' ? { url: settings.redisUrl, prefix } : undefined);
      for (let run = 1; run <= settings.runs; run++) {
        try {
          const hop = await measureHop(pair, token, bus === 'redis' ? settings.hopReports : settings.pollReports, settings.timeoutMs);
          const viaA = percentiles(hop.viaA);
          const viaB = percentiles(hop.viaB);
          cell.runs.push({ run, viaA, viaB });
          log(`  ${bus} run ${run}: A→B p50 ${viaA.p50.toFixed(1)} ms p99 ${viaA.p99.toFixed(1)} ms; B→B p50 ${viaB.p50.toFixed(1)} ms p99 ${viaB.p99.toFixed(1)} ms`);
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
