import type { Redis } from 'ioredis';
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

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

function budget(limiter: RateLimiterAbstract): RateLimiter {
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return true;
      } catch (refusal) {
        if (refusal instanceof RateLimiterRes) return false;
        throw refusal;
      }
    },
  };
}

const windowOptions = ({ limit = 600, windowMs = 60_000 }: RateLimitOptions) => ({ points: limit, duration: Math.max(1, Math.round(windowMs / 1000)) });

/** One instance: a fixed window counted in memory. */
export function memoryRateLimiter(options: RateLimitOptions = {}): RateLimiter {
  return budget(new RateLimiterMemory(windowOptions(options)));
}

/**
 * Several instances: the same window counted in Redis so the budget is shared. While Redis is
 * unreachable each instance counts in memory (the insurance limiter), so an outage neither locks
 * every display out nor lifts the limit.
 */
export function redisRateLimiter(redis: Redis, prefix: string, options: RateLimitOptions = {}): RateLimiter {
  return budget(
    new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}rate`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(windowOptions(options)),
      ...windowOptions(options),
    }),
  );
}
