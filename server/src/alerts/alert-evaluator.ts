import type { PrismaClient } from '@fangkong/prisma';
import { type Context, evaluateEvents, type OutboxEvent, sweepAlerts } from '@fangkong/schema';
import type { Logger } from '../logger.ts';
import type { OutboxFollower } from '../live/outbox-follower.ts';

export interface AlertEvaluatorOptions {
  /** How often time-based rules (silent sites, overdue work, isolation follow-up) are looked at. @default 30000 */
  sweepMs?: number;
  /** Events looked at per step before the recorded position moves on. @default 200 */
  batch?: number;
}

const CURSOR_ID = 'evaluator';

/**
 * Runs the alert rules beside the server's work: it reads the outbox through the follower after the
 * position recorded in the database (so a restart resumes there and nothing is skipped), looks at
 * each event, then records the new position; and it sweeps for time-based conditions. It never runs
 * inside a write: a report is acknowledged before any rule looks at it. Several instances may run it
 * at once and replay the same events: the database's unique occurrence key keeps one alert each.
 */
export function startAlertEvaluator(
  follower: OutboxFollower,
  ctx: Omit<Context, 'viewer' | 'actor'> & { prisma: PrismaClient },
  logger: Logger,
  { sweepMs = 30_000, batch = 200 }: AlertEvaluatorOptions = {},
): { stop(): Promise<void> } {
  const evaluator: Context = { ...ctx, viewer: null, actor: 'alerts:evaluator' };
  let stopped = false;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

  const followOutbox = (async () => {
    let cursor: bigint | null = null;
    while (!stopped) {
      try {
        if (cursor === null) cursor = await recordedPosition(ctx.prisma, follower.lastSeq);
        const events: OutboxEvent[] = await follower.readAfter(cursor, batch);
        if (!events.length) {
          if (follower.isClosed) break;
          await follower.waitFor(cursor);
          continue;
        }
        await evaluateEvents(evaluator, events);
        cursor = events[events.length - 1]!.seq;
        // Another instance may be further on: the position only moves forward.
        await ctx.prisma.$executeRaw`UPDATE "AlertCursor" SET seq = GREATEST(seq, ${cursor}), "updatedAt" = now() WHERE id = ${CURSOR_ID}`;
      } catch (error) {
        if (stopped) break;
        logger.warn('alert evaluation failed; retrying', { error: (error as Error).message });
        await pause(1000);
      }
    }
  })();

  // One sweep at a time, and a tick that finds one still running is skipped, not queued: on a slow
  // database queued sweeps would run back to back, holding a connection without a pause, and fall
  // ever further behind the clock they are meant to follow.
  let sweeping: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (stopped || sweeping) return;
    sweeping = sweepAlerts(evaluator)
      .catch((error) => {
        if (!stopped) logger.warn('alert sweep failed; trying again on the next one', { error: (error as Error).message });
      })
      .finally(() => {
        sweeping = null;
      });
  }, sweepMs);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await sweeping;
      // The follower is stopped by the app, which wakes a waiting read; evaluation of a batch finishes.
      await Promise.race([followOutbox, pause(5000)]);
    },
  };
}

/** The recorded position, created at the follower's if there is none (a database migrated before alerts had no row). */
async function recordedPosition(prisma: PrismaClient, fallback: bigint): Promise<bigint> {
  await prisma.$executeRaw`INSERT INTO "AlertCursor" (id, seq) VALUES (${CURSOR_ID}, ${fallback}) ON CONFLICT (id) DO NOTHING`;
  const row = await prisma.alertCursor.findUniqueOrThrow({ where: { id: CURSOR_ID } });
  return row.seq;
}
