import type { OutboxEvent } from '@fangkong/schema';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { createLiveFeed } from './live-feed.ts';
import type { OutboxFollower } from './outbox-follower.ts';

/** An outbox follower over an in-memory list, with the methods the live feed uses. */
function fakeFollower() {
  const events: OutboxEvent[] = [];
  const listeners = new Set<(batch: OutboxEvent[]) => void>();
  const waiting: (() => void)[] = [];
  const follower = {
    get lastSeq() {
      return events.at(-1)?.seq ?? 0n;
    },
    isClosed: false,
    onEvents(listener: (batch: OutboxEvent[]) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async readAfter(cursor: bigint, limit = 2) {
      return events.filter((e) => e.seq > cursor).slice(0, limit);
    },
    waitFor(cursor: bigint) {
      return follower.lastSeq > cursor ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve));
    },
  };
  const commit = (type: string, payload: Record<string, unknown> = {}) => {
    const event: OutboxEvent = { seq: follower.lastSeq + 1n, type, subjectType: 'Test', subjectId: 'x', payload, occurredAt: new Date() };
    events.push(event);
    for (const listener of listeners) listener([event]);
    for (const wake of waiting.splice(0)) wake();
    return event;
  };
  return { follower: follower as unknown as OutboxFollower, commit, listeners };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const silent = createLogger('silent');

describe('live feed', () => {
  const feeds: { close(): void }[] = [];
  afterEach(() => {
    for (const feed of feeds.splice(0)) feed.close();
  });

  it('computes a shared value once for every subscriber, and again only after a relevant event', async () => {
    const { follower, commit, listeners } = fakeFollower();
    const feed = createLiveFeed(follower, silent, { minIntervalMs: 20 });
    feeds.push(feed);
    let computed = 0;
    const options = { relevant: (e: OutboxEvent) => e.type === 'report', compute: async () => ++computed };
    const a = feed.watch('total', options)[Symbol.asyncIterator]();
    const b = feed.watch('total', options)[Symbol.asyncIterator]();
    expect((await a.next()).value).toBe(1);
    expect((await b.next()).value).toBe(1);

    commit('other');
    await sleep(50);
    expect(computed).toBe(1);

    commit('report');
    expect((await a.next()).value).toBe(2);
    expect((await b.next()).value).toBe(2);

    await a.return?.();
    await b.return?.();
    // The last subscriber leaving disposes the shared value: the next one gets a fresh snapshot.
    const c = feed.watch('total', options)[Symbol.asyncIterator]();
    expect((await c.next()).value).toBe(3);
    await c.return?.();
    expect(listeners.size).toBe(1); // the feed's one listener, whatever it watches
  });

  it('asks a value filed under a subject only about the events of that subject', async () => {
    const { follower, commit } = fakeFollower();
    const feed = createLiveFeed(follower, silent, { minIntervalMs: 0 });
    feeds.push(feed);
    const asked = { a: 0, b: 0 };
    const computed = { a: 0, b: 0 };
    const watch = (id: 'a' | 'b') =>
      feed.watch(`checkpoint:${id}`, {
        subject: `checkpoint:${id}`,
        relevant: (e: OutboxEvent) => {
          asked[id]++;
          return e.type === 'checkpointReport:reported' && e.payload.checkpointId === id;
        },
        compute: async () => ++computed[id],
      })[Symbol.asyncIterator]();
    const a = watch('a');
    const b = watch('b');
    expect((await a.next()).value).toBe(1);
    expect((await b.next()).value).toBe(1);

    commit('checkpointReport:reported', { checkpointId: 'a' });
    expect((await a.next()).value).toBe(2);
    commit('alert:raised');
    await sleep(30);
    expect(asked).toEqual({ a: 1, b: 0 });
    expect(computed).toEqual({ a: 2, b: 1 });
    await a.return?.();
    await b.return?.();
  });

  it('watches several values as one stream: a snapshot of each, then the newest value of each in the order they changed', async () => {
    const { follower, commit } = fakeFollower();
    const feed = createLiveFeed(follower, silent, { minIntervalMs: 0 });
    feeds.push(feed);
    const computed = { a: 0, b: 0, c: 0 };
    const value = (id: 'a' | 'b' | 'c') => ({
      key: `checkpoint:${id}`,
      options: {
        subject: `checkpoint:${id}`,
        relevant: (e: OutboxEvent) => e.payload.checkpointId === id,
        compute: async () => `${id}${++computed[id]}`,
      },
    });
    const screen = feed.watchEach([value('a'), value('b'), value('c')])[Symbol.asyncIterator]();
    const snapshots = [(await screen.next()).value, (await screen.next()).value, (await screen.next()).value];
    expect(snapshots.sort()).toEqual(['a1', 'b1', 'c1']);
    // Nothing read meanwhile: b changes, then a twice; b keeps its place and a is said once, newest.
    commit('report', { checkpointId: 'b' });
    await expect.poll(() => computed.b).toBe(2);
    commit('report', { checkpointId: 'a' });
    await expect.poll(() => computed.a).toBe(2);
    commit('report', { checkpointId: 'a' });
    await expect.poll(() => computed.a).toBe(3);
    expect((await screen.next()).value).toBe('b2');
    expect((await screen.next()).value).toBe('a3');
    // A second subscriber of one of them shares its value, and a pending next() ends when the screen leaves.
    const single = feed.watch(value('c').key, value('c').options)[Symbol.asyncIterator]();
    expect((await single.next()).value).toBe('c1');
    const waiting = screen.next();
    await screen.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect((await screen.next()).done).toBe(true);
    commit('report', { checkpointId: 'c' });
    expect((await single.next()).value).toBe('c2');
    expect(computed).toEqual({ a: 3, b: 2, c: 2 });
    // The values only the screen watched were disposed: a new watcher computes a fresh snapshot.
    const again = feed.watch(value('a').key, value('a').options)[Symbol.asyncIterator]();
    expect((await again.next()).value).toBe('a4');
    await single.return?.();
    await again.return?.();
  });

  it('coalesces a burst of events into few computations, and a slow subscriber gets the newest value', async () => {
    const { follower, commit } = fakeFollower();
    const feed = createLiveFeed(follower, silent, { minIntervalMs: 40 });
    feeds.push(feed);
    let computed = 0;
    const values = feed.watch('burst', { relevant: () => true, compute: async () => ++computed })[Symbol.asyncIterator]();
    expect((await values.next()).value).toBe(1);
    for (let i = 0; i < 20; i++) commit('report');
    await expect.poll(() => computed, { timeout: 5_000, interval: 10 }).toBeGreaterThanOrEqual(2);
    await sleep(150);
    expect(computed).toBeLessThanOrEqual(3);
    // Not read while the burst ran: only the latest value waits, not one per event.
    expect((await values.next()).value).toBe(computed);
    await values.return?.();
  });

  it('keeps the last good value when a computation fails, and recovers on the next event', async () => {
    const { follower, commit } = fakeFollower();
    const feed = createLiveFeed(follower, silent, { minIntervalMs: 0 });
    feeds.push(feed);
    let fail = false;
    let computed = 0;
    const values = feed
      .watch('flaky', {
        relevant: () => true,
        compute: async () => {
          if (fail) throw new Error('database away');
          return ++computed;
        },
      })
      [Symbol.asyncIterator]();
    expect((await values.next()).value).toBe(1);
    fail = true;
    commit('report');
    await sleep(20);
    fail = false;
    commit('report');
    expect((await values.next()).value).toBe(2);
    await values.return?.();
  });

  it('computes at most maxConcurrent live values at once; the rest wait their turn and still get the newest value', async () => {
    const { follower, commit } = fakeFollower();
    const feed = createLiveFeed(follower, silent, { minIntervalMs: 0, maxConcurrent: 2 });
    feeds.push(feed);
    let running = 0;
    let mostAtOnce = 0;
    let reports = 0;
    const compute = async () => {
      running++;
      mostAtOnce = Math.max(mostAtOnce, running);
      await sleep(30);
      running--;
      return reports;
    };
    const streams = Array.from({ length: 6 }, (_, i) => feed.watch(`area-${i}`, { relevant: () => true, compute })[Symbol.asyncIterator]());
    for (const stream of streams) expect((await stream.next()).value).toBe(0);
    mostAtOnce = 0;
    reports = 1;
    commit('report');
    for (const stream of streams) expect((await stream.next()).value).toBe(1);
    expect(mostAtOnce).toBe(2);
    for (const stream of streams) await stream.return?.();
  });

  it('replays every event after a cursor in order, filtered, then goes on live', async () => {
    const { follower, commit } = fakeFollower();
    const feed = createLiveFeed(follower, silent);
    feeds.push(feed);
    for (let i = 0; i < 5; i++) commit(i % 2 ? 'odd' : 'even');
    const stream = feed.events(1n, (e) => e.type === 'even')[Symbol.asyncIterator]();
    expect((await stream.next()).value.seq).toBe(3n);
    expect((await stream.next()).value.seq).toBe(5n);
    const next = stream.next();
    commit('odd');
    commit('even');
    expect((await next).value.seq).toBe(7n);
    // Leaving while it waits for the next event ends that wait at once, and the stream stays ended.
    const waiting = stream.next();
    await stream.return?.();
    expect(await waiting).toEqual({ value: undefined, done: true });
    commit('even');
    expect((await stream.next()).done).toBe(true);
  });
});
