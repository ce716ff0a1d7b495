import type { OutboxEvent } from '@fangkong/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { createLocalBus } from './bus.ts';
import { OutboxFollower, type OutboxSource } from './outbox-follower.ts';

/**
 * The outbox in memory, behind the follower's source. `hold(n)` makes the next n commits of
 * "a transaction still running": they are stored but below nothing readable until `release()`,
 * as the database's horizon holds back events above an older open transaction.
 */
function fakeOutbox() {
  const rows: OutboxEvent[] = [];
  let reads = 0;
  let failNext = false;
  let horizon: bigint | null = null;
  const readable = () => rows.filter((row) => horizon === null || row.seq < horizon);
  const source: OutboxSource = {
    position: async () => readable().at(-1)?.seq ?? 0n,
    read: async (after, limit) => {
      reads++;
      // What a statement sees is decided when it starts, as a snapshot is: a read in flight when a
      // transaction ends does not see its events (and a test counting reads after it cannot be
      // answered by one that began before).
      const answer = readable().filter((row) => row.seq > after).slice(0, limit);
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (failNext) {
        failNext = false;
        throw new Error('connection reset');
      }
      return answer;
    },
  };
  const commit = (n = 1) => {
    for (let i = 0; i < n; i++) rows.push({ seq: BigInt(rows.length + 1), type: 'checkpointReport:reported', subjectType: 'CheckpointReport', subjectId: `r${rows.length + 1}`, payload: {}, occurredAt: new Date() });
  };
  return {
    source,
    commit,
    reads: () => reads,
    failOnce: () => void (failNext = true),
    /** Everything from the next seq on waits, as behind a transaction still running. */
    hold: () => void (horizon = BigInt(rows.length + 1)),
    release: () => void (horizon = null),
    last: () => rows.at(-1)?.seq ?? 0n,
  };
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
    const follower = new OutboxFollower(outbox.source, bus, silent, { pollMs: 60_000, ...options });
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

  it('reads again soon when an announced event is not readable yet, and gets it once the older transaction ends', async () => {
    const outbox = fakeOutbox();
    const { bus, seen } = await follow(outbox);
    outbox.commit(1);
    outbox.hold(); // seq 2 belongs to a transaction still running
    outbox.commit(2);
    bus.publish(outbox.last());
    await expect.poll(() => seqs(seen), { timeout: 5_000, interval: 10 }).toEqual([1]);
    const reads = outbox.reads();
    // The transaction ends without announcing anything: the follower keeps looking (the poll is a minute).
    outbox.release();
    await expect.poll(() => seqs(seen), { timeout: 5_000, interval: 20 }).toEqual([1, 2, 3]);
    expect(outbox.reads()).toBeGreaterThan(reads);
    // Once it has everything announced it stops looking.
    const settled = outbox.reads();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(outbox.reads()).toBe(settled);
  });

  it('reads once for a commit announced twice (by its own instance and through the bus)', async () => {
    const outbox = fakeOutbox();
    const { follower, seen } = await follow(outbox);
    const before = outbox.reads();
    outbox.commit(1);
    follower.heard(outbox.last());
    follower.heard(outbox.last());
    await follower.catchUp();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(seqs(seen)).toEqual([1]);
    // The catch-up asked for above while the read ran is one more; the second announcement is none.
    expect(outbox.reads() - before).toBeLessThanOrEqual(2);
    const reads = outbox.reads();
    outbox.commit(1);
    follower.heard(outbox.last());
    follower.heard(outbox.last());
    await expect.poll(() => seqs(seen), { timeout: 5_000, interval: 10 }).toEqual([1, 2]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outbox.reads() - reads).toBe(1);
  });
});
