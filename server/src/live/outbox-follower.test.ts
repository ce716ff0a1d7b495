import type { PrismaClient } from '@fangkong/prisma';
import type { OutboxEvent } from '@fangkong/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { createLocalBus } from './bus.ts';
import { OutboxFollower } from './outbox-follower.ts';

/** The outbox table, in memory, behind the two Prisma calls the follower makes. */
function fakeOutbox() {
  const rows: { seq: bigint; type: string; subjectType: string; subjectId: string; payload: object; occurredAt: Date }[] = [];
  let reads = 0;
  let failNext = false;
  const prisma = {
    $queryRaw: async () => [{ seq: rows.at(-1)?.seq ?? null }],
    event: {
      findMany: async ({ where, take }: { where: { seq: { gt: bigint } }; take: number }) => {
        reads++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (failNext) {
          failNext = false;
          throw new Error('connection reset');
        }
        return rows.filter((row) => row.seq > where.seq.gt).slice(0, take);
      },
    },
  };
  const commit = (n = 1) => {
    for (let i = 0; i < n; i++) rows.push({ seq: BigInt(rows.length + 1), type: 'checkpointReport:reported', subjectType: 'CheckpointReport', subjectId: `r${rows.length + 1}`, payload: {}, occurredAt: new Date() });
  };
  return { prisma: prisma as unknown as PrismaClient, commit, reads: () => reads, failOnce: () => void (failNext = true) };
}

const silent = createLogger('silent');
const seqs = (events: OutboxEvent[]) => events.map((e) => Number(e.seq));

describe('outbox follower', () => {
  const followers: OutboxFollower[] = [];
  afterEach(() => {
    for (const follower of followers.splice(0)) follower.stop();
  });
  const follow = async (outbox: ReturnType<typeof fakeOutbox>, options = {}) => {
    const bus = createLocalBus();
    const follower = new OutboxFollower(outbox.prisma, bus, silent, { pollMs: 60_000, ...options });
    followers.push(follower);
    await follower.start();
    const seen: OutboxEvent[] = [];
    follower.onEvents((batch) => seen.push(...batch));
    return { follower, bus, seen };
  };

  it('starts after what is already stored and dispatches every later event once, in order, page after page', async () => {
    const outbox = fakeOutbox();
    outbox.commit(3);
    const { follower, seen } = await follow(outbox);
    expect(follower.lastSeq).toBe(3n);
    outbox.commit(1200);
    await follower.catchUp();
    expect(seen).toHaveLength(1200);
    expect(seqs(seen)).toEqual(Array.from({ length: 1200 }, (_, i) => i + 4));
  });

  it('coalesces catch-ups asked for while one is reading', async () => {
    const outbox = fakeOutbox();
    const { follower, seen } = await follow(outbox);
    outbox.commit(5);
    const before = outbox.reads();
    await Promise.all(Array.from({ length: 20 }, () => follower.catchUp()));
    expect(outbox.reads() - before).toBeLessThanOrEqual(3);
    expect(seqs(seen)).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads when the bus says there is something new, and ignores news it already has', async () => {
    const outbox = fakeOutbox();
    const { follower, bus, seen } = await follow(outbox);
    outbox.commit(2);
    bus.publish(2n);
    await follower.waitFor(0n);
    await follower.catchUp();
    expect(seqs(seen)).toEqual([1, 2]);
    const reads = outbox.reads();
    bus.publish(1n);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outbox.reads()).toBe(reads);
  });

  it('skips nothing after a failed read: the next one starts where the last succeeded', async () => {
    const outbox = fakeOutbox();
    const { follower, seen } = await follow(outbox);
    outbox.commit(2);
    outbox.failOnce();
    await follower.catchUp();
    expect(seen).toEqual([]);
    outbox.commit(1);
    await follower.catchUp();
    expect(seqs(seen)).toEqual([1, 2, 3]);
  });

  it('answers recent cursors from memory and older ones from the database, identically', async () => {
    const outbox = fakeOutbox();
    const { follower } = await follow(outbox, { recentEvents: 10 });
    outbox.commit(30);
    await follower.catchUp();
    const reads = outbox.reads();
    expect(seqs(await follower.readAfter(25n))).toEqual([26, 27, 28, 29, 30]);
    expect(outbox.reads()).toBe(reads);
    expect(seqs(await follower.readAfter(5n, 3))).toEqual([6, 7, 8]);
    expect(outbox.reads()).toBe(reads + 1);
  });

  it('wakes a waiting reader on the next event, and every waiter when it stops', async () => {
    const outbox = fakeOutbox();
    const { follower } = await follow(outbox);
    let woke = false;
    const waiting = follower.waitFor(0n).then(() => (woke = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(woke).toBe(false);
    outbox.commit(1);
    await follower.catchUp();
    await waiting;
    expect(woke).toBe(true);
    const stopped = follower.waitFor(1n);
    follower.stop();
    await stopped;
    expect(follower.isClosed).toBe(true);
  });
});
