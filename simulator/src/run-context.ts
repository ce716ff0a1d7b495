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

/**
 * Runs jobs with at most `limit` at once and can wait for all of them. Kept instead of p-limit: the
 * modes wait for a free slot before they draw the next report (`slot()`), so nothing queues up
 * behind a slow server; p-limit would queue every job at once.
 */
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
