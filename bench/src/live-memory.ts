// RSS per idle subscriber: a fresh server, its RSS warm with no subscribers, then with many idle
// checkpointCounts subscriptions (each has received its snapshot), then after they all left.
import { setTimeout as sleep } from 'node:timers/promises';
import { CHECKPOINT_ID } from './live-reports.ts';
import { rssKiB, startLiveServer } from './live-server.ts';
import { openPool, type Transport } from './live-subscribers.ts';
import { median } from './stats.ts';

export interface IdleMemory {
  transport: Transport;
  subscribers: number;
  /** KiB: warm, no subscribers. */
  before: number;
  /** KiB: with every subscriber idle. */
  with: number;
  /** KiB: a few seconds after every subscriber left. */
  after: number;
  perSubscriberKiB: number;
  connectSeconds: number;
  problems: string[];
  warnings: string[];
}

export const idleOperation = {
  query: 'subscription Idle($ids: [ID!]) { checkpointCounts(checkpointIds: $ids) { today { peopleScreened } asOfSeq } }',
  variables: { ids: [CHECKPOINT_ID] },
};

/** Median of a few samples a moment apart: RSS moves a little with every GC. */
async function settledRss(pid: number, settleMs: number): Promise<number> {
  await sleep(settleMs);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssKiB(pid));
    await sleep(200);
  }
  return median(samples);
}

export async function idleMemory(repoRoot: string, databaseUrl: string, token: string, transport: Transport, subscribers: number, settleMs: number): Promise<IdleMemory> {
  const server = await startLiveServer(`fangkong (idle ${transport})`, repoRoot, { DATABASE_URL: databaseUrl });
  try {
    // Warm-up: the first subscriptions load code and fill caches that 1,000 more do not repeat.
    const warm = await openPool({ transport, graphqlUrl: server.graphqlUrl, size: 20, operation: idleOperation, token, record: false });
    await warm.untilDelivered(20, 30_000);
    await warm.close();
    const before = await settledRss(server.pid, settleMs);
    const connectStart = Date.now();
    const pool = await openPool({ transport, graphqlUrl: server.graphqlUrl, size: subscribers, operation: idleOperation, token, record: false });
    try {
      await pool.untilDelivered(subscribers, 120_000);
      const connectSeconds = (Date.now() - connectStart) / 1000;
      const withSubscribers = await settledRss(server.pid, settleMs);
      const problems = [...pool.problems];
      await pool.close();
      const after = await settledRss(server.pid, settleMs * 2);
      return {
        transport,
        subscribers,
        before,
        with: withSubscribers,
        after,
        perSubscriberKiB: (withSubscribers - before) / subscribers,
        connectSeconds,
        problems,
        warnings: server.warnings.lines.slice(0, 5),
      };
    } finally {
      await pool.close();
    }
  } finally {
    await server.stop();
  }
}
