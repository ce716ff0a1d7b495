// A token bucket: at most `perSecond` requests a second on average, bursts of up to one second's worth.

export class RateLimiter {
  private tokens: number;
  private updatedAt = performance.now();
  private readonly capacity: number;
  private readonly waiting: { resolve: (granted: boolean) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly perSecond: number) {
    this.capacity = Math.max(1, perSecond);
    this.tokens = this.capacity;
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

  private refill(): void {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) / 1000) * this.perSecond);
    this.updatedAt = now;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(1, ((1 - this.tokens) / this.perSecond) * 1000);
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
