import { setImmediate } from 'node:timers/promises';
import { ErrorCode } from '@fangkong/zone';
import { E_TIMEOUT, Semaphore, withTimeout } from 'async-mutex';
import { GraphQLError } from 'graphql';

export interface HeavyReadOptions {
  /** Expensive statements (a chart series' windows) running at once, across every request. @default 3 */
  concurrency?: number;
  /** How long one may wait for its turn before it is refused as SERVER_BUSY. @default 2000 */
  maxWaitMs?: number;
}

/**
 * Turns for expensive statements: a semaphore shared by every request, so ten aliased series (or ten
 * clients) use at most `concurrency` database connections at a time and leave the rest of the pool to
 * writes, the outbox follower and ordinary reads. A turn ends one macrotask after its statement, so
 * the event loop serves others between two expensive statements: on the embedded database, which runs
 * statements on the event loop one at a time, queued statements would otherwise follow each other in
 * one unbroken run (use a concurrency of 1 there). A statement that waits longer than `maxWaitMs` for
 * its turn is refused with 503 SERVER_BUSY, marked retryable, rather than queueing for ever.
 *
 * A semaphore rather than a second, smaller pool: it works the same on PGlite (one connection, no pool
 * to split) and does not open connections of its own against PostgreSQL's max_connections.
 */
export function createHeavyReads({ concurrency = 3, maxWaitMs = 2000 }: HeavyReadOptions = {}) {
  const turns = withTimeout(new Semaphore(concurrency), maxWaitMs);
  return async <T>(read: () => Promise<T>): Promise<T> => {
    let release: () => void;
    try {
      [, release] = await turns.acquire();
    } catch (error) {
      if (error !== E_TIMEOUT) throw error;
      throw new GraphQLError(`the server is busy with other expensive reads and this one waited ${maxWaitMs} ms for its turn; retry in a moment`, {
        extensions: { code: ErrorCode.ServerBusy, retryable: true, http: { status: 503, headers: { 'Retry-After': '1' } } },
      });
    }
    try {
      return await read();
    } finally {
      await setImmediate();
      release();
    }
  };
}
