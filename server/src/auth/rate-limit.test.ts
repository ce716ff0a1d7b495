import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryRateLimiter, redisRateLimiter } from './rate-limit.ts';

describe('per-token rate limit', () => {
  it('allows the budget per token, then refuses', async () => {
    const limiter = memoryRateLimiter({ limit: 3 });
    const taken = [];
    for (let i = 0; i < 4; i++) taken.push(await limiter.take('token-a'));
    expect(taken).toEqual([true, true, true, false]);
    expect(await limiter.take('token-b')).toBe(true);
  });

  // Nothing listens on port 1: the Redis limiter must keep limiting (in memory), not fail open.
  const unreachable = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
  unreachable.on('error', () => {});
  afterAll(() => unreachable.disconnect());

  it('keeps limiting while Redis is unreachable', async () => {
    const limiter = redisRateLimiter(unreachable, 'test:', { limit: 2 });
    const taken = [];
    for (let i = 0; i < 3; i++) taken.push(await limiter.take('token-a'));
    expect(taken).toEqual([true, true, false]);
  });
});
