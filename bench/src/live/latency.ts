// Mutation → subscriber latency: reports sent one at a time, each timed from just before the
// request leaves to every subscriber's receipt of that report's event (matched by subjectId).
import { performance } from 'node:perf_hooks';
import type { Reporter } from './reports.ts';
import { type Operation, openPool, type SubscriberPool } from './subscribers.ts';

/** The lossless outbox stream, checkpoint reports only; `after` makes it start at a known place. */
export function eventsOperation(after?: string): Operation {
  return {
    query: 'subscription Events($after: String) { events(after: $after, types: [CHECKPOINT_REPORT_REPORTED]) { cursor seq type subjectId } }',
    variables: after === undefined ? {} : { after },
  };
}

export interface Percentiles {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles of a list of milliseconds. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return { count: sorted.length, p50: rank(50), p99: rank(99), max: sorted[sorted.length - 1] ?? Number.NaN };
}

/**
 * The cursor of the newest event, learnt over the wire: a live subscriber (no `after`) and reports
 * until one reaches it (a report committed before the subscription started is not delivered).
 */
export async function currentCursor(graphqlUrl: string, reporter: Reporter): Promise<string> {
  const probe = await openPool({ transport: 'ws', graphqlUrl, size: 1, operation: eventsOperation(), token: reporter.token });
  try {
    for (let attempt = 1; attempt <= 10; attempt++) {
      await reporter.report();
      try {
        await probe.untilDelivered(1, 3000);
      } catch {
        continue;
      }
      // Anything else still in flight would also be older than a report sent after this one.
      const cursors = probe.take()[0]!.map((d) => BigInt(d.data.events.cursor as string));
      return String(cursors.reduce((a, b) => (a > b ? a : b)));
    }
    throw new Error(`no event reached a live subscriber after 10 reports; problems: ${probe.problems.join('; ')}`);
  } finally {
    await probe.close();
  }
}

/** Sends reports one at a time until each reached every subscriber; nothing is recorded. */
export async function warmUp(pool: SubscriberPool, reporter: Reporter, reports: number, timeoutMs: number): Promise<void> {
  for (let i = 0; i < reports; i++) {
    const target = pool.delivered + pool.size;
    await reporter.report();
    await pool.untilDelivered(target, timeoutMs);
  }
  pool.take();
}

export interface TimedReports {
  /** One entry per delivery, ms. */
  latencies: number[];
  /** Request → response of each mutation, ms. */
  mutationMs: number[];
}

/**
 * Sends `reports` reports, each after the previous one reached every subscriber. Every subscriber
 * must receive exactly one event per report, the report's own.
 */
export async function timeReports(pool: SubscriberPool, reporter: Reporter, reports: number, timeoutMs: number): Promise<TimedReports> {
  const latencies: number[] = [];
  const mutationMs: number[] = [];
  pool.take();
  for (let i = 0; i < reports; i++) {
    const target = pool.delivered + pool.size;
    const sentAt = performance.now();
    const id = await reporter.report();
    mutationMs.push(performance.now() - sentAt);
    await pool.untilDelivered(target, timeoutMs);
    const received = pool.take();
    for (const [index, deliveries] of received.entries()) {
      if (deliveries.length !== 1 || deliveries[0]!.data.events?.subjectId !== id) {
        throw new Error(`subscriber ${index} received ${JSON.stringify(deliveries.map((d) => d.data)).slice(0, 400)} for report ${id}`);
      }
      latencies.push(deliveries[0]!.at - sentAt);
    }
  }
  return { latencies, mutationMs };
}
