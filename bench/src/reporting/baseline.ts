import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Send } from './load.ts';
import { countsOf, randomReport, type ReportRow, rowHash } from './rows.ts';

// The columns and conversions the server's insert uses (schema/src/idempotency.ts, schema/src/sql.ts).
const INSERT_REPORT = `INSERT INTO "CheckpointReport"
  ("id", "checkpointId", "periodStart", "periodEnd", "vehiclesInspected", "peopleScreened", "feverCases",
   "hubeiLinked", "referred", "disinfections", "source", "reportedBy", "idempotencyKey", "payloadHash")
  VALUES ($1, $2, $3::timestamptz, $4::timestamptz, $5, $6, $7, $8, $9, $10,
          'MANUAL'::"ReportSource", 'anonymous', $11, $12)`;
const INSERT_REPORT_IDEMPOTENT = `${INSERT_REPORT}
  ON CONFLICT ("idempotencyKey") DO NOTHING
  RETURNING id`;
const INSERT_AUDIT = `INSERT INTO "AuditEntry" ("id", "actor", "action", "entityType", "entityId", "after")
  VALUES ($1, 'anonymous', 'checkpointReport:reported', 'CheckpointReport', $2, $3::jsonb)`;
// The lock key every writer took before appending to the outbox until the outbox went lock-free
// (prisma/src/outbox.ts): the `locked` baseline shows what it cost.
const OUTBOX_LOCK = 0x66616e67;
const INSERT_EVENT = `INSERT INTO "Event" ("type", "subjectType", "subjectId", "payload", "actor")
  VALUES ('checkpointReport:reported', 'CheckpointReport', $1, $2::jsonb, 'anonymous')
  RETURNING seq::text AS seq`;

function reportParams(id: string, row: ReportRow) {
  return [id, row.checkpointId, row.periodStart.toISOString(), row.periodEnd.toISOString(), ...countsOf(row), row.idempotencyKey, rowHash(row)];
}

/**
 * The floor: one autocommitted INSERT per report, nothing else. Its rows are dated a year back: it
 * writes thousands a second, and in today's figures they would make every later phase's live values
 * (which sum today's reports) dearer, a cost the floor itself never pays.
 */
export function plainInsert(pool: pg.Pool, checkpointIds: readonly string[], keyPrefix: string): Send {
  return async (seq) => {
    const row = randomReport(checkpointIds, `${keyPrefix}${seq}`, { yearBack: true });
    const result = await pool.query(INSERT_REPORT, reportParams(randomUUID(), row));
    return result.rowCount === 1 ? null : `inserted ${result.rowCount} rows`;
  };
}

/**
 * The transaction shape by hand: the idempotent insert, the audit entry with the row as JSON, the
 * outbox event; one connection, one commit; then the event announced, as a server announces its own.
 * `lock`: the old outbox lock taken before the event and held to commit (every writer of every
 * instance one after the other through its commit).
 */
export function transactionShape(
  pool: pg.Pool,
  checkpointIds: readonly string[],
  keyPrefix: string,
  { lock, announce }: { lock: boolean; announce?: (seq: string) => void },
): Send {
  return async (seq) => {
    const row = randomReport(checkpointIds, `${keyPrefix}${seq}`);
    const id = randomUUID();
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const inserted = await client.query<{ id: string }>(INSERT_REPORT_IDEMPOTENT, reportParams(id, row));
      if (inserted.rows[0]?.id !== id) {
        await client.query('ROLLBACK');
        return 'insert returned no row for a fresh key';
      }
      const { idempotencyKey, ...payload } = row;
      const after = { id, ...payload, source: 'MANUAL', reportedBy: 'anonymous', idempotencyKey, payloadHash: rowHash(row), supersedesId: null, supersededAt: null, correctionReason: null, createdAt: new Date() };
      await client.query(INSERT_AUDIT, [randomUUID(), id, JSON.stringify(after)]);
      if (lock) await client.query('SELECT pg_advisory_xact_lock($1)', [OUTBOX_LOCK]);
      const event = await client.query<{ seq: string }>(INSERT_EVENT, [id, JSON.stringify({ ...payload, source: 'MANUAL' })]);
      await client.query('COMMIT');
      if (event.rows[0]) announce?.(event.rows[0].seq);
      return null;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      throw error;
    } finally {
      // A connection that could not even roll back is dropped, not handed to the next request.
      client.release(broken);
    }
  };
}
