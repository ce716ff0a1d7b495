// The hop between instances: one subscriber on B; reports alternate between A (the event reaches B
// through Redis, or through B's outbox poll without Redis) and B itself (no hop).
import { currentCursor, eventsOperation, timeReports, warmUp } from './live-latency.ts';
import { createReporter } from './live-reports.ts';
import { type LiveServer, startLiveServer } from './live-server.ts';
import { openPool } from './live-subscribers.ts';

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

export interface HopRun {
  /** Latencies (ms) of reports sent to A and to B, as seen by the subscriber on B. */
  viaA: number[];
  viaB: number[];
}

export async function measureHop(pair: InstancePair, token: string, reportsPerInstance: number, timeoutMs: number): Promise<HopRun> {
  const toA = createReporter(pair.a.graphqlUrl, token);
  const toB = createReporter(pair.b.graphqlUrl, token);
  try {
    const cursor = await currentCursor(pair.b.graphqlUrl, toB);
    const pool = await openPool({ transport: 'ws', graphqlUrl: pair.b.graphqlUrl, size: 1, operation: eventsOperation(cursor), token });
    try {
      await warmUp(pool, toA, 1, timeoutMs);
      await warmUp(pool, toB, 1, timeoutMs);
      // Alternating, so any drift of the machine falls on both alike.
      const plan = Array.from({ length: reportsPerInstance * 2 }, (_, i) => i % 2);
      const timed = await timeReports(pool, [toA, toB], plan, timeoutMs);
      return { viaA: timed.byReporter[0]!, viaB: timed.byReporter[1]! };
    } finally {
      await pool.close();
    }
  } finally {
    toA.close();
    toB.close();
  }
}
