// Coalesced fan-out, like for like: N WebSocket subscribers of one live aggregate (`zoneSummary`,
// 250 ms coalescing) while reports arrive at a steady rate, through Fangkong and through the raw
// `ws` broadcaster in its coalescing mode (same interval, one serialisation per update, a real
// message of ours as the template). Per side: report → subscriber latency (every report, every
// subscriber), delivered messages/s, and the server process's CPU per delivered message.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { type Percentiles, percentiles } from './latency.ts';
import type { CoalesceCommand, ReportCommand } from './raw-broadcast.ts';
import type { Reporter } from './reports.ts';
import { type Delivery, type Operation, openPool, type SubscriberPool } from './subscribers.ts';

export const ZONE_OPERATION: Operation = {
  query: 'subscription Zone { zoneSummary { checkpointTotals { peopleScreened feverCases reports } peopleUnderIsolation asOfSeq } }',
};

export interface FanoutSide {
  subscribers: number;
  /** Reports sent, and over how many seconds (the schedule). */
  reports: number;
  rate: number;
  /** Report → subscriber: for every report and subscriber, the first update reflecting it. */
  latency: Percentiles;
  /** Messages delivered between the first report and the last delivery. */
  delivered: number;
  seconds: number;
  perSecond: number;
  /** CPU time of the serving process (user + system) over the same window, µs per delivered message. */
  cpuMicrosPerMessage: number;
  /**
   * Ours: the same, less the CPU the same report schedule took with no subscriber connected (the
   * writes themselves), so only the fan-out's cost is left. Raw: equal to cpuMicrosPerMessage.
   */
  fanoutCpuMicrosPerMessage: number;
  /** Reports the server answered with an error (ours only). */
  errors: number;
  /** Ours: how long each report took to be answered (its write), from the instant it was sent. */
  answered?: Percentiles;
}

/** utime + stime of a process, in µs (/proc/<pid>/stat; clock ticks of 10 ms). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10_000;
}

const reportsOf = (delivery: Delivery) => Number(delivery.data.zoneSummary?.checkpointTotals?.reports ?? Number.NaN);

/** Keeps every subscriber's deliveries from a recording pool, in arrival order. */
function gatherer(pool: SubscriberPool) {
  const all: Delivery[][] = Array.from({ length: pool.size }, () => []);
  return {
    all,
    collect() {
      for (const [i, list] of pool.take().entries()) all[i]!.push(...list);
    },
  };
}

/** Until every subscriber saw `reports` reach its target (its own base + n). */
async function untilReflected(pool: SubscriberPool, gathered: ReturnType<typeof gatherer>, targets: number[], timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    gathered.collect();
    const behind = gathered.all.filter((list, i) => !list.some((d) => reportsOf(d) >= targets[i]!)).length;
    if (!behind) return;
    if (pool.problems.length) throw new Error(`subscribers failed: ${pool.problems.slice(0, 3).join('; ')}`);
    if (performance.now() > deadline) throw new Error(`${behind} of ${pool.size} subscribers never saw the last report within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** For report k (1-based), per subscriber, the first delivery whose total includes it. */
function latencies(all: Delivery[][], bases: number[], sentAt: number[], from: number): number[] {
  const out: number[] = [];
  all.forEach((list, i) => {
    const deliveries = list.filter((d) => d.at >= from);
    let j = 0;
    for (let k = 1; k <= sentAt.length; k++) {
      while (j < deliveries.length && reportsOf(deliveries[j]!) < bases[i]! + k) j++;
      if (j === deliveries.length) break;
      out.push(deliveries[j]!.at - sentAt[k - 1]!);
    }
  });
  return out;
}

/** Sends `count` reports at `rate` per second (on schedule, not waiting for answers). */
async function onSchedule(count: number, rate: number, send: () => Promise<unknown> | undefined): Promise<{ sentAt: number[]; errors: number; startedAt: number; answeredMs: number[] }> {
  const sentAt: number[] = [];
  const answeredMs: number[] = [];
  const pending: Promise<unknown>[] = [];
  let errors = 0;
  const startedAt = performance.now();
  for (let k = 0; k < count; k++) {
    const due = startedAt + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const at = performance.now();
    sentAt.push(at);
    const sent = send();
    if (sent) pending.push(sent.then(() => void answeredMs.push(performance.now() - at)).catch(() => void errors++));
  }
  await Promise.all(pending);
  return { sentAt, errors, startedAt, answeredMs };
}

function side(subscribers: number, rate: number, sentAt: number[], all: Delivery[][], bases: number[], startedAt: number, cpu: number, writesCpu: number, errors: number): FanoutSide {
  const delivered = all.reduce((n, list) => n + list.filter((d) => d.at >= startedAt).length, 0);
  const last = Math.max(...all.map((list) => list.at(-1)?.at ?? startedAt));
  const seconds = (last - startedAt) / 1000;
  return {
    subscribers,
    reports: sentAt.length,
    rate,
    latency: percentiles(latencies(all, bases, sentAt, startedAt)),
    delivered,
    seconds,
    perSecond: delivered / seconds,
    cpuMicrosPerMessage: cpu / Math.max(1, delivered),
    fanoutCpuMicrosPerMessage: Math.max(0, cpu - writesCpu) / Math.max(1, delivered),
    errors,
  };
}

export interface FanoutTarget {
  graphqlUrl: string;
  pid: number;
}

/** Ours: Fangkong with its default coalescing (FANGKONG_MIN_INTERVAL_MS 250). Returns one real message for the raw side's template. */
export async function oursFanout(server: FanoutTarget, reporter: Reporter, subscribers: number, rate: number, seconds: number, timeoutMs: number): Promise<FanoutSide & { sample: string }> {
  const count = Math.round(rate * seconds);
  // The writes alone: the same schedule with nobody subscribed.
  const quietBefore = cpuMicros(server.pid);
  await onSchedule(count, rate, () => reporter.report());
  const writesCpu = cpuMicros(server.pid) - quietBefore;
  const pool = await openPool({ transport: 'ws', graphqlUrl: server.graphqlUrl, size: subscribers, operation: ZONE_OPERATION, token: reporter.token });
  try {
    await pool.untilDelivered(subscribers, timeoutMs);
    const gathered = gatherer(pool);
    gathered.collect();
    const bases = gathered.all.map((list) => Math.max(...list.map(reportsOf)));
    const cpuBefore = cpuMicros(server.pid);
    const { sentAt, errors, startedAt, answeredMs } = await onSchedule(count, rate, () => reporter.report());
    await untilReflected(pool, gathered, bases.map((b) => b + count - errors), timeoutMs);
    const cpu = cpuMicros(server.pid) - cpuBefore;
    if (!pool.sample) throw new Error('no message captured');
    return { ...side(subscribers, rate, sentAt, gathered.all, bases, startedAt, cpu, writesCpu, errors), answered: percentiles(answeredMs), sample: pool.sample };
  } finally {
    await pool.close();
  }
}

/** Raw: the same subscribers, interval and schedule against the coalescing `ws` broadcaster. */
export async function rawFanout(raw: { url: string; pid: number }, template: string, subscribers: number, rate: number, seconds: number, intervalMs: number, timeoutMs: number): Promise<FanoutSide> {
  const pool = await openPool({ transport: 'ws', graphqlUrl: `${raw.url.replace(/^ws/, 'http')}/graphql`, size: subscribers, operation: ZONE_OPERATION });
  const control = new WebSocket(`${raw.url}/control`, { perMessageDeflate: false });
  try {
    await new Promise<void>((resolve, reject) => {
      control.once('open', () => resolve());
      control.once('error', reject);
    });
    const ready = new Promise<{ ready?: boolean; error?: string }>((resolve) => control.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
    const command: CoalesceCommand = { coalesce: { template, intervalMs, subscribers } };
    control.send(JSON.stringify(command));
    const answer = await ready;
    if (answer.error) throw new Error(`raw broadcaster: ${answer.error}`);
    const base = Number((JSON.parse(template) as { payload: { data: { zoneSummary: { checkpointTotals: { reports: number } } } } }).payload.data.zoneSummary.checkpointTotals.reports);
    const bases = Array.from({ length: subscribers }, () => base);
    const gathered = gatherer(pool);
    const count = Math.round(rate * seconds);
    const report: ReportCommand = { report: true };
    const message = JSON.stringify(report);
    const cpuBefore = cpuMicros(raw.pid);
    const { sentAt, startedAt } = await onSchedule(count, rate, () => {
      control.send(message);
      return undefined;
    });
    await untilReflected(pool, gathered, bases.map((b) => b + count), timeoutMs);
    const cpu = cpuMicros(raw.pid) - cpuBefore;
    return side(subscribers, rate, sentAt, gathered.all, bases, startedAt, cpu, 0, 0);
  } finally {
    control.close();
    await pool.close();
  }
}
