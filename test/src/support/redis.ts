import { Redis } from 'ioredis';

export const redisUrl = process.env.FANGKONG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let reachable: Promise<boolean> | undefined;

/** Like postgresReachable: skip where absent, fail when FANGKONG_REQUIRE_REDIS=1 (CI). */
export function redisReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 2000 });
    try {
      await client.connect();
      await client.ping();
      return true;
    } catch (error) {
      if (process.env.FANGKONG_REQUIRE_REDIS === '1') throw new Error(`FANGKONG_REQUIRE_REDIS=1 but ${redisUrl} is unreachable: ${(error as Error).message}`);
      return false;
    } finally {
      client.disconnect();
    }
  })();
  return reachable;
}

/** A key/channel prefix no other run shares. */
export const runPrefix = (label: string) => `fangkong-test-${label}-${process.pid}-${Date.now()}:`;

/** Runs one Redis command (e.g. CLIENT KILL) and returns its reply. */
export async function redisCommand(...args: string[]): Promise<unknown> {
  const client = new Redis(redisUrl);
  try {
    return await client.call(args[0]!, ...args.slice(1));
  } finally {
    client.disconnect();
  }
}
