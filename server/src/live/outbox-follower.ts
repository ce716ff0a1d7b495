import { outboxPosition, type PrismaClient, readOutboxAfter } from '@fangkong/prisma';
import type { OutboxEvent } from '@fangkong/schema';
import type { Logger } from '../logger.ts';
import type { Bus } from './bus.ts';

export interface FollowerOptions {
  /** Read the outbox at least this often, whatever the bus says. @default 1000 */
  pollMs?: number;
  /** Recent events kept in memory for subscribers that are nearly caught up. @default 5000 */
  recentEvents?: number;
}

const PAGE = 500;
/** First wait before reading again when an announced event is not readable yet; doubles up to the poll. */
const PENDING_RETRY_MS = 5;

/**
 * Where the follower reads: the outbox's final part only (prisma/src/outbox.ts), so a page never
 * misses an event that commits later. Tests give their own.
 */
export interface OutboxSource {
  /** The newest event no later commit can precede (0 when none). */
  position(): Promise<bigint>;
  /** Up to `limit` final events after `after`, in seq order. */
  read(after: bigint, limit: number): Promise<OutboxEvent[]>;
}

/** The database's outbox, below its horizon. */
export function databaseOutbox(prisma: PrismaClient): OutboxSource {
  return {
    position: async () => (await outboxPosition(prisma))[0]?.seq ?? 0n,
    read: async (after, limit) =>
      (await readOutboxAfter(prisma, after, limit)).map((row) => ({
        seq: row.seq,
        type: row.type,
        subjectType: row.subjectType,
        subjectId: row.subjectId,
        payload: (row.payload ?? {}) as Record<string, unknown>,
        occurredAt: row.occurredAt,
      })),
  };
}

/**
 * Follows the outbox of one database: every committed event, in sequence order, exactly once.
 * Bus notifications and commits on this instance make it read at once; a poll covers anything a
 * notification missed (Redis restarts, dropped connections). Writers commit in any order, so an
 * announced event may not be readable yet (an older transaction still runs, outbox.ts): then the
 * follower reads again soon, backing off, until it has it.
 */
export class OutboxFollower {
  /** Every event with seq ≤ lastSeq has been read and dispatched. */
  lastSeq = 0n;
  /** The newest seq announced (bus, local commits): there is more to read while it is above lastSeq. */
  private announced = 0n;
  /** What was announced when the read under way started: that read sees it (if it is below the horizon). */
  private readingCovers = -1n;
  private retry: NodeJS.Timeout | undefined;
  private retryMs = PENDING_RETRY_MS;
  private readonly listeners = new Set<(events: OutboxEvent[]) => void>();
  private readonly waiters = new Set<() => void>();
  /** Recent events, ascending; complete for every seq above `recentFloor`. */
  private recent: OutboxEvent[] = [];
  private recentFloor = 0n;
  private reading: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly outbox: OutboxSource,
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly options: FollowerOptions = {},
  ) {}

  async start(): Promise<void> {
    this.lastSeq = await this.outbox.position();
    this.recentFloor = this.lastSeq;
    this.bus.onNotify((seq) => this.heard(seq));
    this.bus.onResume(() => this.catchUp());
    this.timer = setInterval(() => this.catchUp(), this.options.pollMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.retry);
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Called with each new batch of events, in order. Returns an unsubscribe function. */
  onEvents(listener: (events: OutboxEvent[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** An event was committed (here or, through the bus, elsewhere): read it unless already read. */
  heard(seq: bigint): void {
    if (seq > this.announced) this.announced = seq;
    // A commit is announced after it committed, so a read that started after the announcement sees
    // it: the same seq heard twice (from this instance's commit and from the bus) costs one read.
    if (seq > this.lastSeq && !(this.reading && seq <= this.readingCovers)) void this.catchUp();
  }

  /** Reads new events now (coalesced: one read at a time, one more if asked meanwhile). */
  catchUp(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        this.readingCovers = this.announced;
        try {
          let batch: OutboxEvent[];
          do {
            batch = await this.outbox.read(this.lastSeq, PAGE);
            if (batch.length) this.dispatch(batch);
          } while (batch.length === PAGE);
        } catch (error) {
          this.logger.warn('outbox read failed; retrying on the next poll', { error: (error as Error).message });
        }
      } while (this.again && !this.closed);
      this.reading = null;
      this.readingCovers = -1n;
      this.retryPending();
    })();
    return this.reading;
  }

  /**
   * An announced event not read yet waits for an older transaction to end, which may announce
   * nothing (a write without an event, a rollback): read again after 5 ms, 10, 20 … up to the poll.
   */
  private retryPending(): void {
    if (this.closed || this.retry || this.announced <= this.lastSeq) {
      if (this.announced <= this.lastSeq) this.retryMs = PENDING_RETRY_MS;
      return;
    }
    this.retry = setTimeout(() => {
      this.retry = undefined;
      void this.catchUp();
    }, this.retryMs);
    this.retry.unref();
    this.retryMs = Math.min(this.retryMs * 2, this.options.pollMs ?? 1000);
  }

  private dispatch(batch: OutboxEvent[]): void {
    this.lastSeq = batch[batch.length - 1]!.seq;
    this.recent.push(...batch);
    const keep = this.options.recentEvents ?? 5000;
    if (this.recent.length > keep) {
      const dropped = this.recent.splice(0, this.recent.length - keep);
      this.recentFloor = dropped[dropped.length - 1]!.seq;
    }
    for (const listener of this.listeners) {
      try {
        listener(batch);
      } catch (error) {
        this.logger.error('live listener failed', { error: (error as Error).stack });
      }
    }
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  /** Events after `cursor` (at most `limit`): from memory when recent, else from the database. */
  async readAfter(cursor: bigint, limit = PAGE): Promise<OutboxEvent[]> {
    if (cursor >= this.recentFloor) {
      const start = firstAfter(this.recent, cursor);
      return this.recent.slice(start, start + limit);
    }
    return this.outbox.read(cursor, limit);
  }

  /** Resolves once an event after `cursor` has been read, or the follower stops. */
  waitFor(cursor: bigint): Promise<void> {
    if (this.lastSeq > cursor || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  get isClosed(): boolean {
    return this.closed;
  }
}

function firstAfter(events: OutboxEvent[], cursor: bigint): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid]!.seq <= cursor) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
