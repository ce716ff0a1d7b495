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
  /**
   * Several shared values as one stream (a screen of sites): each one's snapshot, then each new
   * value as it comes; a value the subscriber has not taken yet is replaced by its newer one.
   */
  watchEach<T>(values: ReadonlyArray<{ key: string; options: WatchOptions<T> }>): AsyncIterable<T>;
}

/** The subject of a live value about one checkpoint (its figures, its gate's scans). */
export const checkpointSubject = (id: string) => `checkpoint:${id}`;
/** The subject of a live value about one production line. */
export const lineSubject = (id: string) => `line:${id}`;

/**
 * What an event is about, as the subjects live values are filed under: the checkpoint or line its
 * payload names. The feed hands an event only to the values filed under one of its subjects (and to
 * those filed under none), so an instance watching ten thousand sites does not ask each of them
 * about every event.
 */
export function subjectsOf(event: OutboxEvent): string[] {
  const subjects: string[] = [];
  if (typeof event.payload.checkpointId === 'string') subjects.push(checkpointSubject(event.payload.checkpointId));
  if (typeof event.payload.lineId === 'string') subjects.push(lineSubject(event.payload.lineId));
  return subjects;
}

export interface WatchOptions<T> {
  relevant(event: OutboxEvent): boolean;
  /**
   * Only events about this subject (subjectsOf) can make the value new: the feed asks `relevant`
   * of those alone. Without it, `relevant` is asked of every event.
   */
  subject?: string;
  /**
   * compute() joins a read shared with other values, which holds one connection for all of them:
   * it takes no turn of the feed's own (the feed lets only a few values compute at once).
   */
  batched?: boolean;
  compute(): Promise<T>;
  /** Also recompute on this period, for values that change with the clock (today rolls over at midnight). */
  refreshMs?: number;
  /**
   * The subscriber's own pacing: at most one value per this many ms. Only ever slower than the
   * server's minimum interval (FANGKONG_MIN_INTERVAL_MS): a shorter one is raised to it.
   */
  minIntervalMs?: number | null;
}
