import type { Prisma } from '@fangkong/prisma';
import { auditSnapshot } from './audit-trail.ts';
import type { Context } from './context.ts';
import type { EventTypeName } from './event-types.ts';
import { dayLockedFrom } from './write-errors.ts';

export type Tx = Prisma.TransactionClient;

/** One committed change: what the audit trail and the outbox record about a write. */
export interface Change {
  /** Outbox event type, `entity:event`, e.g. "checkpointReport:reported". */
  type: EventTypeName;
  entityType: string;
  entityId: string;
  before?: unknown;
  after?: unknown;
  /** What subscribers need to know without reading the row. */
  payload: Record<string, unknown>;
}

/**
 * Runs a write in one transaction with its audit entry and outbox event: all three commit, or none.
 * `work` returns the value and the change; a change of null (an idempotent replay) writes nothing more.
 * Subscribers are told only after the commit.
 */
export async function commitChange<T>(ctx: Context, work: (tx: Tx) => Promise<{ value: T; change: Change | null }>): Promise<T> {
  const { value, event } = await transact(ctx, work);
  if (event) ctx.onCommitted?.({ seq: event.seq, type: event.type, subjectType: event.subjectType, subjectId: event.subjectId, occurredAt: event.occurredAt });
  return value;
}

function transact<T>(ctx: Context, work: (tx: Tx) => Promise<{ value: T; change: Change | null }>) {
  return ctx.prisma.$transaction(
    async (tx) => {
      const { value, change } = await work(tx);
      if (!change) return { value, event: null };
      await tx.auditEntry.create({
        data: {
          actor: ctx.actor,
          action: change.type,
          entityType: change.entityType,
          entityId: change.entityId,
          // Personal fields as keyed hashes, the rest in clear.
          before: auditSnapshot(ctx.auditKey, change.entityType, change.before),
          after: auditSnapshot(ctx.auditKey, change.entityType, change.after),
        },
      });
      // The event's seq is made of this transaction's id: no lock, whatever order writers commit in
      // (prisma/src/outbox.ts).
      const event = await tx.event.create({
        data: { type: change.type, subjectType: change.entityType, subjectId: change.entityId, payload: asJson(change.payload) ?? {}, actor: ctx.actor },
      });
      return { value, event };
    },
    { timeout: 15_000, maxWait: 15_000 },
  ).catch((error: unknown) => {
    // A report in a day approved for its area, refused by the database (migration day_approval).
    throw dayLockedFrom(error) ?? error;
  });
}

function asJson(value: unknown): Prisma.InputJsonValue | undefined {
  return value === undefined || value === null ? undefined : (JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue);
}
