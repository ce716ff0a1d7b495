import { Semaphore } from 'async-mutex';
import { type LiveFeed, type OutboxEvent, subjectsOf, type WatchOptions } from '@fangkong/schema';
import type { Logger } from '../logger.ts';
import type { OutboxFollower } from './outbox-follower.ts';
import { Stream } from './stream.ts';

export interface LiveFeedOptions {
  /** At most one aggregate update per this interval per key. @default 250 */
  minIntervalMs?: number;
  /** Told after every computation of a live value: its key, how long it took, whether it failed (metrics). */
  onComputed?: (key: string, seconds: number, failed: boolean) => void;
  /**
   * At most this many live values compute at once. Each computation holds a database connection;
   * after a burst of reports every distinct live value (per area, per list of sites, per pace) turns
   * dirty together, and without a cap they would take the whole pool and make the writes that caused
   * them wait. Values waiting their turn stay dirty and coalesce, so a wait costs freshness, not work.
   * @default 3
   */
  maxConcurrent?: number;
}

interface Watcher<T> {
  /** A new value of `from`. */
  push(value: T, from: SharedValue<T>): void;
}

/** One shared computation: all subscribers of the key receive the same value, computed once. */
class SharedValue<T> {
  readonly watchers = new Set<Watcher<T>>();
  latest: { value: T } | undefined;
  private dirty = false;
  private running = false;
  private disposed = false;
  private lastRun = 0;
  private timer: NodeJS.Timeout | undefined;
  private refresh: NodeJS.Timeout | undefined;

  constructor(
    readonly options: WatchOptions<T>,
    private readonly minIntervalMs: number,
    private readonly logger: Logger,
    readonly key: string,
    private readonly turns: Semaphore,
    private readonly onComputed?: LiveFeedOptions['onComputed'],
  ) {
    if (options.refreshMs) {
      this.refresh = setInterval(() => this.invalidate(), options.refreshMs);
      this.refresh.unref();
    }
    this.invalidate();
  }

  invalidate(): void {
    this.dirty = true;
    if (this.running || this.timer) return;
    const wait = Math.max(0, this.lastRun + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, wait);
  }

  private async run(): Promise<void> {
    this.running = true;
    const turn = async () => {
      if (this.disposed) return;
      this.dirty = false;
      this.lastRun = Date.now();
      const started = performance.now();
      let failed = false;
      try {
        const value = await this.options.compute();
        this.latest = { value };
        for (const watcher of this.watchers) watcher.push(value, this);
      } catch (error) {
        failed = true;
        // Subscribers keep the last good value; the next change (or refresh) tries again.
        this.logger.warn('live value failed to compute', { key: this.key, error: (error as Error).message });
      } finally {
        this.onComputed?.(this.key, (performance.now() - started) / 1000, failed);
      }
    };
    // A batched value's read is shared and takes its own connection; the others take turns.
    await (this.options.batched ? turn() : this.turns.runExclusive(turn));
    this.running = false;
    if (this.dirty && !this.disposed) this.invalidate();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    clearInterval(this.refresh);
  }
}

/** Where a subscriber's values live: found or created when it first reads, let go when it leaves. */
interface FeedValues {
  join<T>(watcher: Watcher<T>, values: ReadonlyArray<{ key: string; options: WatchOptions<T> }>): SharedValue<T>[];
  leave<T>(watcher: Watcher<T>, values: SharedValue<T>[]): void;
}

/**
 * What one subscriber of shared values receives: each value's snapshot, then each new value, one at
 * a time. A value not yet taken is replaced by a newer one of the same key, in its place in the line
 * (aggregates coalesce, they never queue). One object per subscriber, however many values it
 * watches, and nothing until its first `next()`. It replaces a Repeater per value merged by another
 * Repeater: measured alone, a waiting Repeater holds about 2.4 KiB and a merge of one about 7.5 KiB,
 * most of it promises and closures, with several more promises per value delivered. Nothing here
 * needs them: a value is only ever replaced, never queued or transformed.
 */
class NewestValues<T> extends Stream<T> implements Watcher<T> {
  /** Values not taken yet, in the order they first came (made when one waits). */
  private pending: Map<SharedValue<T>, T> | undefined;
  /** The consumer's pending next() calls (one, with `for await`). */
  private waiting: ((step: IteratorResult<T>) => void)[] | undefined;
  private joined: SharedValue<T>[] | undefined;
  private done = false;

  constructor(
    private readonly feed: FeedValues,
    /** Dropped once joined: each value's options are needed only to create the value. */
    private values: ReadonlyArray<{ key: string; options: WatchOptions<T> }> | undefined,
  ) {
    super();
  }

  push(value: T, from: SharedValue<T>): void {
    if (this.done) return;
    const waiting = this.waiting?.shift();
    if (waiting) waiting({ value, done: false });
    else (this.pending ??= new Map()).set(from, value);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.values && !this.done) {
      this.joined = this.feed.join(this, this.values);
      this.values = undefined;
      for (const value of this.joined) if (value.latest) this.push(value.latest.value, value);
    }
    if (this.pending) {
      for (const [from, value] of this.pending) {
        this.pending.delete(from);
        if (!this.pending.size) this.pending = undefined;
        return Promise.resolve({ value, done: false });
      }
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting ??= []).push(resolve));
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.pending = undefined;
      this.values = undefined;
      if (this.joined) this.feed.leave(this, this.joined);
      for (const waiting of this.waiting?.splice(0) ?? []) waiting({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }

}

/**
 * One subscriber's events after its cursor, in order. Pull-driven: the next page is read only once
 * the reader took the previous events, so a reader far behind costs database reads, not memory;
 * nothing is ever skipped. A plain iterator (a Repeater cost ~2 KiB per subscriber and several
 * promises per event per subscriber).
 */
class EventStream extends Stream<OutboxEvent> {
  private page: OutboxEvent[] = [];
  private at = 0;
  private done = false;
  /** Ends the wait for new events when the subscriber leaves. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly follower: OutboxFollower,
    private cursor: bigint,
    private readonly filter: (event: OutboxEvent) => boolean,
  ) {
    super();
  }

  async next(): Promise<IteratorResult<OutboxEvent>> {
    while (!this.done) {
      while (this.at < this.page.length) {
        const event = this.page[this.at++]!;
        this.cursor = event.seq;
        if (this.filter(event)) return { value: event, done: false };
      }
      if (this.follower.isClosed) break;
      this.page = await this.follower.readAfter(this.cursor);
      this.at = 0;
      if (this.page.length || this.done) continue;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void this.follower.waitFor(this.cursor).then(resolve);
      });
      this.wake = undefined;
    }
    this.done = true;
    return { value: undefined, done: true };
  }

  return(): Promise<IteratorResult<OutboxEvent>> {
    this.done = true;
    this.page = [];
    this.wake?.();
    return Promise.resolve({ value: undefined, done: true });
  }

}

/** The server's LiveFeed over one outbox follower. */
export function createLiveFeed(follower: OutboxFollower, logger: Logger, options: LiveFeedOptions = {}): LiveFeed & { close(): void } {
  const minIntervalMs = options.minIntervalMs ?? 250;
  const turns = new Semaphore(options.maxConcurrent ?? 3);
  const shared = new Map<string, SharedValue<unknown>>();
  // Values filed under a subject (WatchOptions.subject) hear only the events about it; the others
  // are asked about every event. One listener for the whole feed: with ten thousand sites watched,
  // an event costs a lookup, not ten thousand questions.
  const bySubject = new Map<string, Set<SharedValue<unknown>>>();
  const unfiled = new Set<SharedValue<unknown>>();
  const unfollow = follower.onEvents((events) => {
    const touched = new Set<SharedValue<unknown>>();
    for (const event of events) {
      for (const subject of subjectsOf(event)) {
        for (const value of bySubject.get(subject) ?? []) if (value.options.relevant(event)) touched.add(value);
      }
    }
    for (const value of unfiled) if (events.some((event) => value.options.relevant(event))) touched.add(value);
    for (const value of touched) value.invalidate();
  });
  const file = (value: SharedValue<unknown>) => {
    const subject = value.options.subject;
    if (subject === undefined) return void unfiled.add(value);
    let filed = bySubject.get(subject);
    if (!filed) bySubject.set(subject, (filed = new Set()));
    filed.add(value);
  };
  const unfile = (value: SharedValue<unknown>) => {
    const subject = value.options.subject;
    if (subject === undefined) return void unfiled.delete(value);
    const filed = bySubject.get(subject);
    filed?.delete(value);
    if (filed?.size === 0) bySubject.delete(subject);
  };

  const feedValues: FeedValues = {
    join: <T>(watcher: Watcher<T>, values: ReadonlyArray<{ key: string; options: WatchOptions<T> }>) =>
      values.map(({ key, options: watchOptions }) => {
        // Subscribers paced alike share one value; a slower pace is a value of its own, never a faster one.
        const interval = Math.max(minIntervalMs, watchOptions.minIntervalMs ?? 0);
        const paced = interval === minIntervalMs ? key : `${key}@${interval}ms`;
        let entry = shared.get(paced) as SharedValue<T> | undefined;
        if (!entry) {
          entry = new SharedValue<T>(watchOptions, interval, logger, paced, turns, options.onComputed);
          shared.set(paced, entry as SharedValue<unknown>);
          file(entry as SharedValue<unknown>);
        }
        entry.watchers.add(watcher);
        return entry;
      }),
    leave: <T>(watcher: Watcher<T>, entries: SharedValue<T>[]) => {
      for (const entry of entries) {
        entry.watchers.delete(watcher);
        if (entry.watchers.size > 0) continue;
        entry.dispose();
        if (shared.get(entry.key) === (entry as SharedValue<unknown>)) shared.delete(entry.key);
        unfile(entry as SharedValue<unknown>);
      }
    },
  };

  return {
    watch<T>(key: string, watchOptions: WatchOptions<T>): AsyncIterable<T> {
      return this.watchEach([{ key, options: watchOptions }]);
    },

    watchEach<T>(values: ReadonlyArray<{ key: string; options: WatchOptions<T> }>): AsyncIterable<T> {
      return new NewestValues<T>(feedValues, values);
    },

    events(after: bigint, filter: (event: OutboxEvent) => boolean): AsyncIterable<OutboxEvent> {
      // No cursor: live from now on.
      return new EventStream(follower, after < 0n ? follower.lastSeq : after, filter);
    },

    close() {
      unfollow();
      for (const entry of shared.values()) entry.dispose();
      shared.clear();
      bySubject.clear();
      unfiled.clear();
    },
  };
}
