// What the live and replay modes share: the wire, the bookkeeping and the server's clock.
import type { ApiClient } from './api-client.ts';
import type { Rand } from './random.ts';
import type { Reporter } from './reporter.ts';
import type { Totals } from './status.ts';

export interface RunContext {
  client: ApiClient;
  reporter: Reporter;
  totals: Totals;
  /** The server's "now" in epoch milliseconds (the local clock corrected by the measured offset). */
  now(): number;
  /** The zone's time zone, as the server reports it. */
  timeZone: string;
  /** Unpredictable draws (live figures, resends); replays seed their own per report. */
  rand: Rand;
  /** Distinguishes this run's idempotency keys from every other run's. */
  runId: string;
  /** Reports in flight at once. */
  concurrency: number;
  /** A note for the person watching (not a status line). */
  note(line: string): void;
}

export interface ModeRun {
  /** Resolves when the mode has nothing left to do (a replay's last hour); live mode never does. */
  finished: Promise<void>;
  /** Schedules nothing more, lets what is in flight finish, tidies up. */
  stop(): Promise<void>;
  /** Where the run stands, for the status line. */
  where(): string;
  /** Anything else worth a glance (lines in an incident). */
  extra(): string;
}

/** Runs jobs with at most `limit` at once and can wait for all of them. */
export class JobPool {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  get size(): number {
    return this.running.size;
  }

  get full(): boolean {
    return this.running.size >= this.limit;
  }

  /** Starts `job` now (callers check `full` first). */
  start(job: () => Promise<void>): Promise<void> {
    const promise = job()
      .catch(() => {})
      .finally(() => this.running.delete(promise));
    this.running.add(promise);
    return promise;
  }

  /** Waits for a free slot. */
  async slot(): Promise<void> {
    while (this.full) await Promise.race(this.running);
  }

  async drain(): Promise<void> {
    while (this.running.size) await Promise.all(this.running);
  }
}

/** A sleep that `cancel` ends early. */
export function sleep(ms: number, cancel: Cancel): Promise<void> {
  return new Promise((resolve) => {
    let stopListening = () => {};
    const timer = setTimeout(() => {
      stopListening();
      resolve();
    }, Math.max(0, ms));
    stopListening = cancel.onCancel(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Something that can be cancelled once, waking every sleeper. */
export class Cancel {
  cancelled = false;
  private readonly wakers = new Set<() => void>();

  /** Calls `wake` on cancel (at once if already cancelled); returns a function to stop listening. */
  onCancel(wake: () => void): () => void {
    if (this.cancelled) {
      wake();
      return () => {};
    }
    this.wakers.add(wake);
    return () => this.wakers.delete(wake);
  }

  cancel(): void {
    this.cancelled = true;
    for (const wake of this.wakers) wake();
    this.wakers.clear();
  }
}
