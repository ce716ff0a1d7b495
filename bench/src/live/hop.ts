// The hop between instances: reports alternate between A and B; a subscriber on B sees those sent
// to A through the hop (Redis, or B's outbox poll without Redis) and those sent to B without it.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { currentCursor, eventsOperation } from './latency.ts';
import { createReporter } from './reports.ts';
import { type LiveServer, startLiveServer } from './server.ts';
import { openPool, type SubscriberPool } from './subscribers.ts';

export interface InstancePair {
  a: LiveServer;
  b: LiveServer;
  /** "redis" or "poll" */
  bus: 'redis' | 'poll';
  stop(): Promise<void>;
}

/** A then B (A applies migrations first), on one database and, with a prefix, one Redis channel. */
export async function startPair(repoRoot: string, databaseUrl: string, redis?: { url: string; prefix: string }): Promise<InstancePair> {
  const env: Record<string, string> = { DATABASE_URL: databaseUrl, FANGKONG_MIN_INTERVAL_MS: '0' };
  if (redis) Object.assign(env, { REDIS_URL: redis.url, FANGKONG_REDIS_PREFIX: redis.prefix });
  const bus = redis ? 'redis' : 'poll';
  const a = await startLiveServer(`instance A (${bus})`, repoRoot, env);
  let b: LiveServer;
  try {
    b = await startLiveServer(`instance B (${bus})`, repoRoot, env);
  } catch (error) {
    await a.stop();
    throw error;
  }
  return { a, b, bus, stop: async () => void (await Promise.all([a.stop(), b.stop()])) };
}

/** Latencies (ms) of the reports sent to one instance, as seen by a subscriber on each instance. */
export interface HopSide {
  atA: number[];
  atB: number[];
}

export interface HopRun {
  toA: HopSide;
  toB: HopSide;
  /** Per report: latency at the other instance's subscriber − at the receiving instance's. */
  pairedHop: number[];
  /** Request → response of every timed mutation, ms. */
  mutationMs: number[];
  /** Attempts retried (same idempotency key), with the first reasons. */
  retried: { count: number; reasons: string[] };
}

/**
 * One subscriber on each instance, so every report is seen both without the hop (on the instance
 * that took it) and across it (on the other): the per-report difference is the hop, free of the
 * mutation's own time. Reports alternate A, B, A, B…, one at a time.
 */
export async function measureHop(pair: InstancePair, token: string, reportsPerInstance: number, timeoutMs: number, jitterMs = 0): Promise<HopRun> {
  const reporters = [createReporter(pair.a.graphqlUrl, token), createReporter(pair.b.graphqlUrl, token)] as const;
  const pools: SubscriberPool[] = [];
  try {
    const cursor = await currentCursor(pair.b.graphqlUrl, reporters[1]);
    for (const server of [pair.a, pair.b]) pools.push(await openPool({ transport: 'ws', graphqlUrl: server.graphqlUrl, size: 1, operation: eventsOperation(cursor), token }));
    const [atA, atB] = pools as [SubscriberPool, SubscriberPool];
    const run: HopRun = { toA: { atA: [], atB: [] }, toB: { atA: [], atB: [] }, pairedHop: [], mutationMs: [], retried: { count: 0, reasons: [] } };
    for (let i = -2; i < reportsPerInstance * 2; i++) {
      const which = ((i % 2) + 2) % 2;
      const targets = [atA.delivered + 1, atB.delivered + 1];
      if (jitterMs) await sleep(Math.random() * jitterMs);
      const sentAt = performance.now();
      const id = await reporters[which]!.report();
      const answeredAt = performance.now();
      await Promise.all([atA.untilDelivered(targets[0]!, timeoutMs), atB.untilDelivered(targets[1]!, timeoutMs)]);
      const seen = [atA, atB].map((pool, p) => {
        const deliveries = pool.take()[0]!;
        if (deliveries.length !== 1 || deliveries[0]!.data.events?.subjectId !== id) {
          throw new Error(`subscriber on ${p ? 'B' : 'A'} received ${JSON.stringify(deliveries.map((d) => d.data)).slice(0, 300)} for report ${id}`);
        }
        return deliveries[0]!.at - sentAt;
      }) as [number, number];
      if (i < 0) continue; // one warm-up report to each instance
      run.mutationMs.push(answeredAt - sentAt);
      const side = which === 0 ? run.toA : run.toB;
      side.atA.push(seen[0]);
      side.atB.push(seen[1]);
      run.pairedHop.push(which === 0 ? seen[1] - seen[0] : seen[0] - seen[1]);
    }
    for (const reporter of reporters) {
      run.retried.count += reporter.retried.count;
      run.retried.reasons.push(...reporter.retried.reasons);
    }
    return run;
  } finally {
    await Promise.all(pools.map((pool) => pool.close()));
    for (const reporter of reporters) reporter.close();
  }
}
