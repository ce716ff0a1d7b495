import { ErrorCode } from '@fangkong/zone';
import { outboxPosition, Prisma } from '@fangkong/prisma';
import { builder, type SchemaTypes } from './builder.ts';
import type { Context } from './context.ts';
import { userError } from './errors.ts';
import type { LiveFeed } from './live.ts';

// Live values for wall displays: a snapshot first, then a new value after every relevant change.
// Each value says which outbox event it includes (asOfSeq), so a client can tell what it reflects.
// Each domain declares its own subscription fields (checkpoints/, production/, summary/).

builder.subscriptionType({ description: 'Live figures for wall displays and the outbox as a lossless stream.' });

/** Today rolls over at local midnight: live values recompute at least this often. */
export const CLOCK_REFRESH_MS = 60_000;

export function liveFeed(ctx: Context): LiveFeed {
  if (!ctx.live) throw userError('subscriptions are served over WebSocket (graphql-ws) and Server-Sent Events', ErrorCode.BadUserInput);
  return ctx.live;
}

/**
 * The outbox position and some reads, all from one REPEATABLE READ snapshot. The position is the
 * newest event below the horizon (prisma/src/outbox.ts): the figures include every event up to it
 * (and perhaps some after it, committed while an older transaction still ran).
 */
export async function snapshot<T extends readonly Prisma.PrismaPromise<unknown>[]>(ctx: Context, reads: [...T]) {
  const [seq, ...values] = await ctx.prisma.$transaction(
    [outboxPosition(ctx.prisma), ...reads] as const,
    { isolationLevel: Prisma.TransactionIsolationLevel.RepeatableRead },
  );
  return { asOfSeq: (seq as { seq: bigint }[])[0]?.seq ?? 0n, asOf: ctx.now(), values: values as { [K in keyof T]: Awaited<T[K]> } };
}

/** The two fields every live value carries: when it was read and the last outbox event it includes. */
export const asOfFields = <T extends { asOf: Date; asOfSeq: bigint }>(t: PothosSchemaTypes.ObjectFieldBuilder<SchemaTypes, T>) => ({
  asOf: t.field({ type: 'DateTime', description: 'When the figures were read.', resolve: (value) => value.asOf }),
  asOfSeq: t.field({ type: 'Seq', description: 'The last outbox event the figures include.', resolve: (value) => value.asOfSeq }),
});
