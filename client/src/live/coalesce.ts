export interface CoalescerOptions {
  /** At most one run starts per this interval. @default 3000 */
  minIntervalMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/**
 * Runs an async task after requests, coalesced: never two at once, at most one start per
 * interval, and a request that arrives while a run is going triggers exactly one more run after it
 * (so the last request is always honoured). Holds one timer and two flags: nothing accumulates.
 */
export class Coalescer {
  private running = false;
  private pending = false;
  private timer: unknown = null;
  private lastStart = -Infinity;
  private disposed = false;
  private readonly minIntervalMs: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (timer: unknown) => void;

  constructor(
    private readonly task: () => Promise<void>,
    options: CoalescerOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 3000;
    this.now = options.now ?? (() => Date.now());
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  }

  request(): void {
    if (this.disposed) return;
    this.pending = true;
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    this.pending = false;
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.running || this.timer !== null || !this.pending) return;
    const wait = Math.max(0, this.lastStart + this.minIntervalMs - this.now());
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.run();
    }, wait);
  }

  private async run(): Promise<void> {
    if (this.disposed || !this.pending) return;
    this.pending = false;
    this.running = true;
    this.lastStart = this.now();
    try {
      await this.task();
    } catch {
      // The task reports its own failures; a later request tries again.
    } finally {
      this.running = false;
      this.schedule();
    }
  }
}
