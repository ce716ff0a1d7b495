import type { Database } from '@fangkong/prisma';
import { useReadinessCheck } from 'graphql-yoga';
import type { Logger } from '../logger.ts';

const READY_TIMEOUT_MS = 1000;

/**
 * `/ready`: 200 once the database answers within a second, else 503 (Yoga's readiness check). The
 * answer is for anyone, so it says only that the database does not answer; the cause goes to the log.
 */
export function useReadiness(database: Database, logger: Logger) {
  return useReadinessCheck({
    endpoint: '/ready',
    async check({ fetchAPI }) {
      const json = (status: number, body: Record<string, unknown>) =>
        new fetchAPI.Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' } });
      try {
        await Promise.race([
          database.prisma.$queryRaw`SELECT 1`,
          new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS).unref()),
        ]);
        return json(200, { status: 'ready', database: database.kind });
      } catch (error) {
        logger.warn('not ready: the database does not answer', { error: (error as Error).message });
        return json(503, { status: 'unavailable', database: database.kind, reason: 'the database does not answer' });
      }
    },
  });
}
