// A token bucket: at most `perSecond` requests a second on average, bursts of a quarter second's
// worth, starting with one token, so over any run the count stays within rate × time + a little.
// Kept instead of p-throttle: a 429 pauses the whole bucket for the server's Retry-After
// (`pauseFor`), and closing it refuses waiting first attempts so shutdown drops unsent reports.

export class RateLimiter {
  private tokens: number;
  private updatedAt = performance.now();
  private readonly capacity: number;
  private readonly waiting: { resolve: (granted: boolean) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** No tokens accrue before this (performance.now() time): the server asked us to slow down. */
  private pausedUntil = 0;

  constructor(private readonly perSecond: number) {
    this.capacity = Math.max(1, perSecond / 4);
    this.tokens = 1;
  }

  /** Resolves true when a request may go, or false once the limiter is closed. */
  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.refill();
    if (this.waiting.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      this.waiting.push({ resolve });
      this.schedule();
    });
  }

  /** Releases every waiter with false; later calls get false at once. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const waiter of this.waiting.splice(0)) waiter.resolve(false);
  }

  /** Grants nothing for `ms` (the server answered 429), then resumes at the usual pace. */
  pauseFor(ms: number): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    this.pausedUntil = Math.max(this.pausedUntil, performance.now() + ms);
  }

  private refill(): void {
    const now = performance.now();
    const from = Math.max(this.updatedAt, this.pausedUntil);
    if (now > from) this.tokens = Math.min(this.capacity, this.tokens + ((now - from) / 1000) * this.perSecond);
    this.updatedAt = now;
  }

  private schedule(): void {
    if (this.timer) return;
    const paused = Math.max(0, this.pausedUntil - performance.now());
    const wait = paused + Math.max(1, ((1 - this.tokens) / this.perSecond) * 1000);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.refill();
      while (this.waiting.length && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiting.shift()!.resolve(true);
      }
      if (this.waiting.length) this.schedule();
    }, wait);
  }
}
