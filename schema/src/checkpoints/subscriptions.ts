import type { Checkpoint, PrismaClient } from '@fangkong/prisma';
import DataLoader from 'dataloader';
import { builder } from '../core/builder.ts';
import type { Context } from '../core/context.ts';
import { userError } from '../core/errors.ts';
import { checkpointSubject, type OutboxEvent, type WatchOptions } from '../core/live.ts';
import { asOfFields, CLOCK_REFRESH_MS, liveFeed, minIntervalArg, needsRelations, pacing, snapshot } from '../core/live-values.ts';
import { today, ErrorCode } from '@fangkong/zone';
import { CheckpointCountsRef, CheckpointRef } from './checkpoints.ts';
import { byCheckpoint, countsQuery, lastReportQuery, lastReportsOf, type CheckpointCounts } from './counts.ts';

interface CheckpointUpdate {
  checkpointId: string;
  /** The checkpoint's row, read with the figures: `checkpoint { … }` costs no query per subscriber. */
  row: Checkpoint;
  today: CheckpointCounts;
  lastReportAt: Date | null;
  asOf: Date;
  asOfSeq: bigint;
}

const CheckpointCountsUpdateRef = builder.objectRef<CheckpointUpdate>('CheckpointCountsUpdate').implement({
  description: "One checkpoint's figures for today, as of an outbox position.",
  fields: (t) => ({
    checkpoint: t.prismaField({
      type: 'Checkpoint',
      description: 'The checkpoint.',
      // Its own columns come with the shared value; only relations below it need a query.
      resolve: (query, update, _args, ctx) => (needsRelations(query) ? ctx.prisma.checkpoint.findUniqueOrThrow({ ...query, where: { id: update.checkpointId } }) : update.row),
    }),
    today: t.field({ type: CheckpointCountsRef, description: "Today's figures.", resolve: (u) => u.today }),
    lastReportAt: t.expose('lastReportAt', { type: 'DateTime', nullable: true, description: 'End of the latest period reported.' }),
    ...asOfFields(t),
  }),
});

// Scans count as they arrive at a gate, before their hour's report (gate-scans/scan-figures.ts).
const isCheckpointEvent = (id: string) => (e: OutboxEvent) => (e.type.startsWith('checkpointReport:') || e.type === 'gateScans:recorded') && e.payload.checkpointId === id;

/**
 * Today's figures of many checkpoints in one snapshot: the outbox position, their counts, their
 * latest reports and their rows, four statements whatever the number of checkpoints.
 */
async function readCheckpoints(ctx: Context, ids: readonly string[]): Promise<(CheckpointUpdate | Error)[]> {
  const day = today(ctx.now(), ctx.timeZone);
  const { asOf, asOfSeq, values } = await snapshot(ctx, [
    countsQuery(ctx.prisma, ids, day.start, day.end, ctx.timeZone),
    lastReportQuery(ctx.prisma, ids),
    ctx.prisma.checkpoint.findMany({ where: { id: { in: [...ids] } } }),
  ]);
  const counts = byCheckpoint(ids, values[0]);
  const last = lastReportsOf(ids, values[1]);
  const rows = new Map(values[2].map((row) => [row.id, row]));
  return ids.map((id, i) => {
    const row = rows.get(id);
    return row ? { checkpointId: id, row, today: counts[i]!, lastReportAt: last[i] ?? null, asOf, asOfSeq } : new Error(`checkpoint ${id} is gone`);
  });
}

/**
 * Live values of single checkpoints are read together, one read at a time per database: the
 * checkpoints that turn dirty while a read runs are all read by the next one. At a province's rate
 * every report makes one checkpoint's value new on every instance; read one by one, that was a
 * transaction of four statements per report per instance, each taking a connection.
 */
const checkpointReaders = new WeakMap<PrismaClient, DataLoader<string, CheckpointUpdate>>();

function checkpointReader(ctx: Context): DataLoader<string, CheckpointUpdate> {
  let reader = checkpointReaders.get(ctx.prisma);
  if (!reader) {
    let reading: Promise<void> | undefined;
    const read = (ids: readonly string[]) => {
      const result = readCheckpoints(ctx, ids);
      const done: Promise<void> = result.then(
        () => {},
        () => {},
      ).then(() => {
        if (reading === done) reading = undefined;
      });
      reading = done;
      return result;
    };
    // Values are live: never cached. A batch waits for the read in flight, gathering meanwhile.
    reader = new DataLoader<string, CheckpointUpdate>(read, {
      cache: false,
      maxBatchSize: 2000,
      batchScheduleFn: (dispatch) => (reading ? void reading.then(() => setImmediate(dispatch)) : setImmediate(dispatch)),
    });
    checkpointReaders.set(ctx.prisma, reader);
  }
  return reader;
}

/** The live value of one checkpoint's figures, shared by every subscriber watching it. */
function checkpointValue(ctx: Context, id: string, minIntervalMs: number | null): { key: string; options: WatchOptions<CheckpointUpdate> } {
  return {
    key: checkpointSubject(id),
    options: {
      minIntervalMs,
      relevant: isCheckpointEvent(id),
      subject: checkpointSubject(id),
      batched: true,
      refreshMs: CLOCK_REFRESH_MS,
      compute: () => checkpointReader(ctx).load(id),
    },
  };
}

builder.subscriptionFields((t) => ({
  checkpointCounts: t.field({
    authScopes: { aggregates: true },
    type: CheckpointCountsUpdateRef,
    description: "Today's figures per checkpoint (all when none are named): one update per checkpoint as a snapshot, then one per change.",
    args: {
      checkpointIds: t.arg.globalIDList({ for: CheckpointRef, required: false, description: 'Only these checkpoints.' }),
      minIntervalMs: minIntervalArg(t.arg),
    },
    subscribe: async (_root, args, ctx) => {
      const minIntervalMs = pacing(args.minIntervalMs);
      const ids = args.checkpointIds?.length
        ? [...new Set(args.checkpointIds.map((id) => id.id))]
        : (await ctx.prisma.checkpoint.findMany({ select: { id: true }, orderBy: { id: 'asc' } })).map((c) => c.id);
      const known = await ctx.prisma.checkpoint.count({ where: { id: { in: ids } } });
      if (known !== ids.length) throw userError('checkpointIds: one or more checkpoints do not exist', ErrorCode.NotFound);
      return liveFeed(ctx).watchEach(ids.map((id) => checkpointValue(ctx, id, minIntervalMs)));
    },
    resolve: (update) => update,
  }),
}));
