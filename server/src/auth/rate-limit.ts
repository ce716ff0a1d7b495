import type { Redis } from 'ioredis';

/** Per-token operation budget: `limit` operations per `windowMs`, per token. */
export interface RateLimiter {
  /** True when the operation may run; false when the token spent its budget for this window. */
  take(key: string): Promise<boolean>;
}

export interface RateLimitOptions {
  /** @default 600 operations */
  limit?: number;
  /** @default 60000 ms */
  windowMs?: number;
}

/** One instance: a fixed window counter in memory. */
export function memoryRateLimiter({ limit = 600, windowMs = 60_000 }: RateLimitOptions = {}): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    async take(key) {
      const now = Date.now();
      let window = windows.get(key);
      if (!window || now - window.start >= windowMs) {
        if (windows.size > 100_000) windows.clear();
        window = { start: now, count: 0 };
        windows.set(key, window);
      }
      window.count++;
      return window.count <= limit;
    },
  };
}

/** Several instances: the same fixed window, counted in Redis so the budget is shared. */
export function redisRateLimiter(redis: Redis, prefix: string, { limit = 600, windowMs = 60_000 }: RateLimitOptions = {}): RateLimiter {
  return {
    async take(key) {
      const window = Math.floor(Date.now() / windowMs);
      const redisKey = `${prefix}rate:${key}:${window}`;
      try {
        const [[, count]] = (await redis.multi().incr(redisKey).pexpire(redisKey, windowMs * 2).exec()) as [[unknown, number]];
        return count <= limit;
      } catch {
        // Redis down: fail open rather than lock every display out; the outage is logged by the bus.
        return true;
      }
    },
  };
}
