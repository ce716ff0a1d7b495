// Heap per event per connected subscriber: does a server keep anything for each event it delivers
// to subscribers that stay connected (a wall display subscribed for days)? One server on PostgreSQL,
// started with --inspect. For each side in turn: reports in steps, each step delivered in full, and
// the server's heap after a forced GC between steps. The heap's growth per event is the slope of a
// least-squares line through those readings. The control is the same transport with one
// subscriber: whatever the server keeps per event whoever subscribes (its window of recent events,
// the one shared execution of each event for all subscribers of an operation) is in both, so the
// figure is what each further subscriber adds: (slope with N − slope with one) ÷ (N − 1), in bytes.
// Sides alternate per round.
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { heapAfterGc, type HeapReading } from './inspector.ts';
import { currentCursor, eventsOperation } from './latency.ts';
import { createReporter, reportBurst, type Reporter } from './reports.ts';
import { createLiveDatabase, type LiveServer, startLiveServer } from './server.ts';
import { openPool, type SubscriberPool, type Transport } from './subscribers.ts';
import { cleanEnv } from '../shared/databases.ts';
import { describeMachine, machineLine } from '../shared/machine.ts';
import { repoRoot } from '../shared/paths.ts';
import { createToken } from '../shared/tokens.ts';

export interface SoakOptions {
  subscribers: number;
  /** Events (reports) per side and round, taken in `steps` equal steps. */
  events: number;
  steps: number;
  rounds: number;
  transports: Transport[];
  concurrency: number;
  /**
   * Reports before the first reading. The server keeps its most recent events in memory (the outbox
   * follower's 5,000, for subscribers resuming near the head): until that window is full the heap
   * grows per event by design, and would count against whichever side ran first.
   */
  prefill: number;
  adminUrl: string;
}

export function soakOptions(overrides: Partial<SoakOptions>, env: NodeJS.ProcessEnv = process.env): SoakOptions {
  return {
    subscribers: 500,
    events: 1000,
    steps: 4,
    rounds: 5,
    transports: ['ws', 'sse'],
    concurrency: 8,
    prefill: 5500,
    adminUrl: env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    ...overrides,
  };
}

interface Side {
  transport: Transport;
  subscribers: number;
}

const sideName = (side: Side) => `${side.transport.toUpperCase()} × ${side.subscribers}`;

interface SideRun {
  side: Side;
  round: number;
  /** [events so far, heap after GC]. */
  readings: [number, HeapReading][];
  /** Least-squares growth of heap in use, bytes per event. */
  heapSlope: number;
  /** The same for heap + external (Buffers). */
  heapExternalSlope: number;
  eventsPerSecond: number;
  deliveries: number;
}

export interface SoakResult {
  options: SoakOptions;
  machine: string;
  runs: SideRun[];
  /** Per transport: median over rounds of (slope with − slope of the round's baseline) ÷ subscribers. */
  retained: { transport: Transport; perRound: number[]; median: number; externalMedian: number }[];
  problems: string[];
  /** What the server logged at warn or error (the start-up notes on keys among them), first lines. */
  serverWarnings: { count: number; lines: string[] };
  loadAverages: number[];
  seconds: number;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0) / sxx;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

function heapOf(server: LiveServer): Promise<HeapReading> {
  if (!server.inspectorUrl) throw new Error(`${server.name} printed no inspector URL`);
  return heapAfterGc(server.inspectorUrl, server.pid);
}

/** One side of one round: its subscribers attached, events in steps, a reading after each. */
async function soakSide(server: LiveServer, reporter: Reporter, side: Side, round: number, options: SoakOptions, problems: string[]): Promise<SideRun> {
  const after = await currentCursor(server.graphqlUrl, reporter);
  const pool: SubscriberPool = await openPool({ transport: side.transport, graphqlUrl: server.graphqlUrl, size: side.subscribers, operation: eventsOperation(after), token: reporter.token, record: false });
  try {
    // A first step not counted: it warms whatever the first deliveries to these subscribers fill once.
    const step = Math.max(1, Math.round(options.events / options.steps));
    const deliver = async () => {
      const target = pool.delivered + step * pool.size;
      await reportBurst(reporter, step, options.concurrency);
      await pool.untilDelivered(target, 600_000);
    };
    await deliver();
    const readings: [number, HeapReading][] = [[0, await heapOf(server)]];
    const started = performance.now();
    for (let i = 1; i <= options.steps; i++) {
      await deliver();
      readings.push([i * step, await heapOf(server)]);
    }
    const seconds = (performance.now() - started) / 1000;
    if (pool.problems.length) problems.push(...pool.problems.slice(0, 5).map((p) => `${sideName(side)} round ${round}: ${p}`));
    return {
      side,
      round,
      readings,
      heapSlope: slope(readings.map(([events, r]) => [events, r.heapUsed])),
      heapExternalSlope: slope(readings.map(([events, r]) => [events, r.heapUsed + r.external])),
      eventsPerSecond: (options.steps * step) / seconds,
      deliveries: pool.delivered,
    };
  } finally {
    await pool.close();
  }
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const started = performance.now();
  const problems: string[] = [];
  const loadAverages: number[] = [];
  const runs: SideRun[] = [];
  const serverWarnings = { count: 0, lines: [] as string[] };
  const machine = machineLine(await describeMachine(options.adminUrl));
  const database = await createLiveDatabase(options.adminUrl);
  try {
    const token = await createToken({ repoRoot, env: { ...cleanEnv(), DATABASE_URL: database.url }, role: 'admin', label: 'bench soak' });
    const server = await startLiveServer('fangkong (soak)', repoRoot, { DATABASE_URL: database.url, FANGKONG_MIN_INTERVAL_MS: '0' }, { inspect: true });
    try {
      const reporter = createReporter(server.graphqlUrl, token);
      if (options.prefill) {
        process.stderr.write(`soak: ${options.prefill} reports to fill the server's window of recent events\n`);
        await reportBurst(reporter, options.prefill, 16);
      }
      const sides: Side[] = options.transports.flatMap((transport) => [{ transport, subscribers: 1 }, { transport, subscribers: options.subscribers }]);
      for (let round = 1; round <= options.rounds; round++) {
        loadAverages.push(os.loadavg()[0] ?? 0);
        // Alternate: odd rounds take the sides in order, even rounds in reverse.
        for (const side of round % 2 ? sides : [...sides].reverse()) {
          process.stderr.write(`soak: round ${round}, ${sideName(side)} subscribers\n`);
          runs.push(await soakSide(server, reporter, side, round, options, problems));
        }
      }
      const exited = server.exited();
      if (exited) problems.push(exited);
    } finally {
      await server.stop();
      serverWarnings.count = server.warnings.count;
      serverWarnings.lines = server.warnings.lines.slice(0, 5);
    }
  } finally {
    await database.drop().catch((error: Error) => problems.push(`dropping ${database.name}: ${error.message}`));
  }
  const retained = options.transports.map((transport) => {
    const perRound: number[] = [];
    const external: number[] = [];
    for (let round = 1; round <= options.rounds; round++) {
      const of = (subscribers: number) => runs.find((r) => r.side.transport === transport && r.side.subscribers === subscribers && r.round === round)!;
      const [control, run] = [of(1), of(options.subscribers)];
      perRound.push((run.heapSlope - control.heapSlope) / (options.subscribers - 1));
      external.push((run.heapExternalSlope - control.heapExternalSlope) / (options.subscribers - 1));
    }
    return { transport, perRound, median: median(perRound), externalMedian: median(external) };
  });
  return { options, machine, runs, retained, problems, serverWarnings, loadAverages, seconds: (performance.now() - started) / 1000 };
}

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

export function soakReport(result: SoakResult): string {
  const { options } = result;
  const lines = [
    '# Live soak: heap kept per event per connected subscriber',
    '',
    `- Machine: ${result.machine}`,
    `- Date: ${new Date().toISOString()} (took ${Math.round(result.seconds)} s); 1-minute load average at each round: ${result.loadAverages.map((l) => l.toFixed(1)).join(', ')}`,
    `- ${options.prefill} reports first, to fill the server's window of recent events (5,000 kept in memory by design). ${options.rounds} rounds; each round, sides alternating: ${options.transports.map((t) => `one (the control) and ${options.subscribers} \`events\` subscribers over ${t.toUpperCase()}`).join(', ')}, each side ${options.events} reports in ${options.steps} steps (after one warm-up step), every step delivered to every subscriber before the server's heap is read after a forced full GC (inspector).`,
    `- Figure: least-squares slope of heap in use over events with ${options.subscribers} subscribers, minus the same round's with one subscriber of the same transport (the control), ÷ ${options.subscribers - 1}: what each further subscriber keeps per event. Goal (issue 21): 0.`,
    '- The control takes out what the server keeps per event whoever subscribes: its window of recent events (5,000), and the one shared execution of each event for all subscribers of an operation, with its one serialisation, held while the event stays in that window.',
    '',
    '| Transport | **bytes kept per subscriber per event** (median) | heap + external, bytes (median) | per round |',
    '|---|---|---|---|',
    ...result.retained.map((r) => `| ${r.transport.toUpperCase()} | **${r.median.toFixed(2)}** | ${r.externalMedian.toFixed(2)} | ${r.perRound.map((v) => v.toFixed(2)).join(', ')} |`),
    '',
    '| Round | Side | Heap after GC at each step, MiB | Heap slope, bytes/event | Reports/s | Deliveries |',
    '|---|---|---|---|---|---|',
    ...result.runs.map((r) => `| ${r.round} | ${sideName(r.side)} | ${r.readings.map(([, h]) => mib(h.heapUsed)).join(' → ')} | ${r.heapSlope.toFixed(1)} | ${r.eventsPerSecond.toFixed(0)} | ${r.deliveries} |`),
    '',
    result.problems.length ? `Problems:\n${result.problems.map((p) => `- ${p}`).join('\n')}` : 'Problems: none.',
    '',
    `Server warnings: ${result.serverWarnings.count}${result.serverWarnings.lines.map((line) => `\n- \`${line}\``).join('')}`,
    '',
  ];
  return lines.join('\n');
}
