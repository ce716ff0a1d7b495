import { ErrorCode } from '@fangkong/zone';
import type { ArgBuilder } from '@pothos/core';
import { outboxPosition, Prisma } from '@fangkong/prisma';
import { builder, type SchemaTypes } from './builder.ts';
import type { Context } from './context.ts';
import { invalidArgument, userError } from './errors.ts';
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

/**
 * Whether a Prisma plugin query (what `t.prismaField` hands its resolver for the selection below)
 * asks for more than the row's own columns: relations, or a shaped select.
 */
export function needsRelations(query: { include?: unknown; select?: unknown }): boolean {
  const include = query.include as Record<string, unknown> | undefined;
  const select = query.select as Record<string, unknown> | undefined;
  return (!!include && Object.keys(include).length > 0) || (!!select && Object.values(select).some((v) => v !== true));
}

/** The longest pacing a subscriber may ask for: an hour. */
export const MAX_MIN_INTERVAL_MS = 3_600_000;

/**
 * The `minIntervalMs` argument of live values: a dashboard that needs less freshness asks for fewer
 * updates. It can only slow a subscription down; below the server's minimum it has no effect.
 */
export const minIntervalArg = (t: ArgBuilder<SchemaTypes>) =>
  t.int({
    required: false,
    description: `At most one update per this many milliseconds (up to ${MAX_MIN_INTERVAL_MS}). Only slows updates down: the server's own minimum (FANGKONG_MIN_INTERVAL_MS, 250 by default) applies when this is lower or omitted.`,
  });

/** The checked `minIntervalMs` argument. */
export function pacing(minIntervalMs: number | null | undefined): number | null {
  if (minIntervalMs == null) return null;
  if (minIntervalMs < 0 || minIntervalMs > MAX_MIN_INTERVAL_MS) throw invalidArgument('minIntervalMs', `must be between 0 and ${MAX_MIN_INTERVAL_MS}`);
  return minIntervalMs;
}
