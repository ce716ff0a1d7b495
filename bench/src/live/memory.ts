// RSS per idle subscriber: a server, warm, with no subscribers; then with many idle
// checkpointCounts subscriptions (each has received its snapshot); then after they all left.
// Every reading follows a forced full GC (through the inspector), so garbage does not count.
import { setTimeout as sleep } from 'node:timers/promises';
import { heapAfterGc, type HeapReading } from './inspector.ts';
import { CHECKPOINT_ID } from './reports.ts';
import { type LiveServer, startLiveServer } from './server.ts';
import { openPool, type Transport } from './subscribers.ts';

export interface IdleMemory {
  transport: Transport;
  subscribers: number;
  /** Warm, no subscribers. */
  before: HeapReading;
  /** With every subscriber idle. */
  with: HeapReading;
  /** A few seconds after every subscriber left. */
  after: HeapReading;
  /** (RSS with − RSS before) ÷ subscribers. */
  perSubscriberRssKiB: number;
  /** (RSS with − RSS after they left) ÷ subscribers: what their leaving gave back. */
  perSubscriberRssReleasedKiB: number;
  perSubscriberHeapKiB: number;
  /** Heap plus external memory (Buffers), per subscriber. */
  perSubscriberHeapExternalKiB: number;
  connectSeconds: number;
  problems: string[];
}

export const idleOperation = {
  query: 'subscription Idle($ids: [ID!]) { checkpointCounts(checkpointIds: $ids) { today { peopleScreened } asOfSeq } }',
  variables: { ids: [CHECKPOINT_ID] },
};

async function reading(server: LiveServer, settleMs: number): Promise<HeapReading> {
  await sleep(settleMs);
  if (!server.inspectorUrl) throw new Error(`${server.name} printed no inspector URL`);
  return heapAfterGc(server.inspectorUrl, server.pid);
}

/** A server for idle measurements: inspector on, default coalescing, warmed by a few subscriptions. */
export async function startIdleServer(repoRoot: string, databaseUrl: string, token: string, transport: Transport): Promise<LiveServer> {
  const server = await startLiveServer(`fangkong (idle ${transport})`, repoRoot, { DATABASE_URL: databaseUrl }, { inspect: true });
  try {
    // The first subscriptions load code and fill caches that 1,000 more do not repeat.
    const warm = await openPool({ transport, graphqlUrl: server.graphqlUrl, size: 20, operation: idleOperation, token, record: false });
    await warm.untilDelivered(20, 30_000);
    await warm.close();
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** One measurement: reading, `subscribers` idle subscriptions, reading, all closed, reading. */
export async function idleMemory(server: LiveServer, token: string, transport: Transport, subscribers: number, settleMs: number): Promise<IdleMemory> {
  const before = await reading(server, settleMs);
  const connectStart = Date.now();
  const pool = await openPool({ transport, graphqlUrl: server.graphqlUrl, size: subscribers, operation: idleOperation, token, record: false });
  try {
    await pool.untilDelivered(subscribers, 120_000);
    const connectSeconds = (Date.now() - connectStart) / 1000;
    const withSubscribers = await reading(server, settleMs);
    const problems = [...pool.problems];
    await pool.close();
    const after = await reading(server, settleMs * 2);
    return {
      transport,
      subscribers,
      before,
      with: withSubscribers,
      after,
      perSubscriberRssKiB: (withSubscribers.rssKiB - before.rssKiB) / subscribers,
      perSubscriberRssReleasedKiB: (withSubscribers.rssKiB - after.rssKiB) / subscribers,
      perSubscriberHeapKiB: (withSubscribers.heapUsed - before.heapUsed) / 1024 / subscribers,
      perSubscriberHeapExternalKiB: (withSubscribers.heapUsed + withSubscribers.external - before.heapUsed - before.external) / 1024 / subscribers,
      connectSeconds,
      problems,
    };
  } finally {
    await pool.close();
  }
}
