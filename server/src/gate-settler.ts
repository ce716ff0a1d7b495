import type { PrismaClient } from '@fangkong/prisma';
import { type Context, GATE_SCAN_ACTOR, settleGateCounts } from '@fangkong/schema';
import type { Logger } from './logger.ts';

/**
 * Counts gate scans into reports when their hour is over (schema gate-scans/gate-counts.ts), on a
 * timer beside the server's work: an upload counts the hours already over itself, this catches the
 * hour that ends with no upload after it. Instances may run it at once: the settler locks the gate.
 */
export function startGateSettler(ctx: Omit<Context, 'viewer' | 'actor'> & { prisma: PrismaClient }, logger: Logger, { everyMs = 60_000 } = {}): { stop(): Promise<void> } {
  const settler: Context = { ...ctx, viewer: null, actor: GATE_SCAN_ACTOR };
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await settleGateCounts(settler);
      } catch (error) {
        if (!stopped) logger.warn('counting gate scans failed; trying again on the next turn', { error: (error as Error).message });
      }
    });
  }, everyMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
