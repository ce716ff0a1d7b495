/** An event as it leaves the outbox. */
export interface CommittedEvent {
  seq: bigint;
  type: string;
  subjectType: string;
  subjectId: string;
  occurredAt: Date;
}

/** One outbox event as subscribers receive it. */
export interface OutboxEvent {
  seq: bigint;
  type: string;
  subjectType: string;
  subjectId: string;
  payload: Record<string, unknown>;
  occurredAt: Date;
}

/**
 * Live data as the schema sees it (iterables end when the subscriber returns them); the server implements it (in-process or across instances via
 * Redis). Resolvers never know which transport or which instance delivers.
 */
export interface LiveFeed {
  /**
   * Every event after `after` in sequence order, then live: no gap, no duplicate. A consumer too
   * far behind gets an error naming the cursor to resume from, never a silent drop.
   */
  events(after: bigint, filter: (event: OutboxEvent) => boolean): AsyncIterable<OutboxEvent>;
  /**
   * A shared live value: computed once per change for all subscribers of `key`, first when the first
   * subscriber arrives (the snapshot), then after each relevant event, at most once per
   * `minIntervalMs`; a slow subscriber gets the latest value, not a backlog.
   */
  watch<T>(key: string, options: WatchOptions<T>): AsyncIterable<T>;
}

export interface WatchOptions<T> {
  relevant(event: OutboxEvent): boolean;
  compute(): Promise<T>;
  /** Also recompute on this period, for values that change with the clock (today rolls over at midnight). */
  refreshMs?: number;
  /**
   * The subscriber's own pacing: at most one value per this many ms. Only ever slower than the
   * server's minimum interval (FANGKONG_MIN_INTERVAL_MS): a shorter one is raised to it.
   */
  minIntervalMs?: number | null;
}
