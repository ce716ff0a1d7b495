// A new report (checkpoint counts, line output), its audit entry and its outbox event, written by
// ONE statement: one round trip, committed on its own, no interactive transaction.
//
// The reporting mutations are the hot path: every checkpoint of a province reports about once a
// minute. As an interactive transaction a report took ~9 round trips (begin, read the checkpoint,
// insert, read the row back, audit, outbox, commit) and held a connection, and a snapshot, across
// all of them. Here one INSERT … WITH statement does the same work inside PostgreSQL:
//
//   target  reads the checkpoint (line) and decides, in SQL, whether the report may go in (`admit`:
//           not closed; within capacity and in a reporting status); the caller's own checks on the
//           input (figures, period, key) ran before, in JavaScript, as they always did
//   report  INSERT … SELECT … FROM target WHERE admit ON CONFLICT ("idempotencyKey") DO NOTHING
//           RETURNING "createdAt": the unique index decides idempotency, as before
//   audit   INSERT the audit entry FROM report: only when the report went in
//   event   INSERT the outbox event FROM report (its seq from this transaction's id: no lock,
//           prisma/src/outbox.ts)
//
// A single statement is atomic: the three rows commit together or not at all (a failing trigger, the
// exclusion constraint refusing an overlap, a lost connection). Whatever did not go in is told apart
// afterwards, from what the statement returns, in the order the interactive version checked it:
// no target row → NotFound; target refused → the refusal (its message from the same row); report
// not inserted → the key exists: a retry (duplicate) or a reuse with another payload (conflict),
// read in a second statement, which also sees a concurrent twin that committed while this one ran
// (the statement's snapshot predates it). Only those replays, and refusals, cost a second round trip.
import { randomUUID } from 'node:crypto';
import { Prisma } from '@fangkong/prisma';
import { auditSnapshot } from './audit-trail.ts';
import type { Change } from './changes.ts';
import type { Context } from './context.ts';
import type { Column, Submission } from './idempotency.ts';
import { dayLockedFrom } from './write-errors.ts';

export interface ReportInsert {
  table: 'CheckpointReport' | 'OutputReport';
  /** The new row's columns (id included; createdAt is the database's). */
  columns: Record<string, Column>;
  key: Submission;
  /**
   * A SELECT of at most one row, the reporting checkpoint or line: with `admit` (boolean: the report
   * may go in) and `extra` (jsonb merged into the event's payload: what only the row knows), and
   * whatever else the caller needs to word a refusal.
   */
  target: Prisma.Sql;
  /** The audit entry and event; `after` without createdAt (added from the stored row). */
  change: Change;
}

export interface ReportInserted<T> {
  /** The target row as JSON (instants as text), or null when there is none. */
  target: (T & { admit: boolean }) | null;
  /** The stored report's createdAt and its event, when it went in. */
  inserted: { createdAt: Date; seq: bigint; occurredAt: Date } | null;
}

/** A parameter cast to its column's type (INSERT … SELECT does not infer it as INSERT … VALUES does). */
function typed(value: Column): Prisma.Sql {
  if (value instanceof Prisma.Sql) return value;
  if (typeof value === 'number') return Prisma.sql`${value}::integer`;
  if (typeof value === 'boolean') return Prisma.sql`${value}::boolean`;
  return Prisma.sql`${value}`;
}

/** Writes the report, its audit entry and its event in one statement; tells the caller what happened (see above). */
export async function insertReportAtOnce<T>(ctx: Context, spec: ReportInsert): Promise<ReportInserted<T>> {
  const all: Record<string, Column> = { ...spec.columns, idempotencyKey: spec.key.idempotencyKey, payloadHash: spec.key.payloadHash };
  const names = Prisma.join(Object.keys(all).map((name) => Prisma.raw(`"${name}"`)));
  const values = Prisma.join(Object.values(all).map(typed));
  const { change } = spec;
  const after = JSON.stringify(auditSnapshot(ctx.auditKey, change.entityType, change.after) ?? {});
  const payload = JSON.stringify(change.payload);
  type Row = { target: (T & { admit: boolean }) | null; createdAt: Date | null; seq: bigint | null; occurredAt: Date | null };
  // An approved day refuses the insert in the database (migration day_approval): a typed DayLockedError.
  const [row] = await ctx.prisma.$queryRaw<Row[]>`
    WITH target AS (${spec.target}),
    report AS (
      INSERT INTO ${Prisma.raw(`"${spec.table}"`)} (${names})
      SELECT ${values} FROM target WHERE target.admit
      ON CONFLICT ("idempotencyKey") DO NOTHING
      RETURNING "createdAt"
    ),
    audit AS (
      INSERT INTO "AuditEntry" (id, actor, action, "entityType", "entityId", after)
      SELECT ${randomUUID()}, ${ctx.actor}, ${change.type}, ${change.entityType}, ${change.entityId},
             ${after}::jsonb || jsonb_build_object('createdAt', to_char(report."createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
      FROM report
    ),
    event AS (
      INSERT INTO "Event" (type, "subjectType", "subjectId", payload, actor)
      SELECT ${change.type}, ${change.entityType}, ${change.entityId}, ${payload}::jsonb || target.extra, ${ctx.actor}
      FROM report, target
      RETURNING seq, "occurredAt"
    )
    SELECT to_jsonb(target) - 'extra' AS target, report."createdAt", event.seq, event."occurredAt"
    FROM (SELECT) AS one LEFT JOIN target ON true LEFT JOIN report ON true LEFT JOIN event ON true`.catch((error: unknown) => {
    throw dayLockedFrom(error) ?? error;
  });
  const inserted = row?.createdAt && row.seq !== null && row.occurredAt ? { createdAt: row.createdAt, seq: row.seq, occurredAt: row.occurredAt } : null;
  if (inserted) {
    ctx.onCommitted?.({ seq: inserted.seq, type: change.type, subjectType: change.entityType, subjectId: change.entityId, occurredAt: inserted.occurredAt });
  }
  return { target: row?.target ?? null, inserted };
}
