import type { Database } from '@fangkong/prisma';
import { useReadinessCheck } from 'graphql-yoga';

const READY_TIMEOUT_MS = 2000;

/** `/ready`: 200 once the database answers within two seconds, else 503 with the reason (Yoga's readiness check). */
export function useReadiness(database: Database) {
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
        return json(503, { status: 'unavailable', database: database.kind, reason: (error as Error).message });
      }
    },
  });
}
