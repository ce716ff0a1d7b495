-- (No semicolon in these comments or in the function bodies: the PostgreSQL adapter splits the
-- script at every one. Hence SQL functions of one SELECT each, no PL/pgSQL.)
--
-- Outbox positions without a global lock. prisma/src/outbox.ts says why this is gap-free: in short,
-- an event's seq is made of the id of the transaction that writes it,
--   seq = (pg_current_xact_id() + base) * 65536 + n      (n: 0, 1, 2 … within that transaction)
-- so the order of seqs is the order of writing transactions, and a reader takes only seqs below
-- fangkong_outbox_horizon(): the position of the oldest transaction that may still write here.
-- Every transaction below it has ended, so nothing can ever appear below a position once read.
-- Writers take no lock and allocate nothing shared: they commit concurrently and in any order.

-- The offset that keeps every new seq above every older one: 0 unless the events were written by
-- another cluster (a restored dump: transaction ids start again) or before this migration with
-- seqs beyond 65536 × the current id. prisma/src/outbox.ts (ensureOutboxPositions) raises it then.
CREATE FUNCTION fangkong_outbox_base() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT 0::bigint $$;

-- The next seq of the calling transaction. The counter n lives in a transaction-local setting, so
-- it starts again at 0 in every transaction (and goes back with a rolled-back savepoint, as do the
-- rows it numbered). More than 65536 events in one transaction would reach the next id's range:
-- refused (the cast of that sentence to bigint fails with the sentence as its message: it names n,
-- or PostgreSQL would fold the constant cast, and fail, when it plans the function).
CREATE FUNCTION fangkong_event_seq() RETURNS bigint LANGUAGE sql VOLATILE AS $$
  SELECT ((pg_current_xact_id()::text::bigint + fangkong_outbox_base()) << 16)
       + CASE WHEN next.n < 65536 THEN next.n ELSE ('outbox: more than 65536 events in one transaction: ' || next.n)::bigint END
  FROM (SELECT set_config('fangkong.outbox_n', (COALESCE(NULLIF(current_setting('fangkong.outbox_n', true), '')::bigint, -1) + 1)::text, true)::bigint AS n) AS next
$$;

-- The first seq a reader may not take yet (exclusive), in the caller's snapshot: STABLE, so it
-- runs with the snapshot of the statement that calls it and agrees with what that statement sees.
-- It is the oldest transaction id, among those the snapshot says are still running, that may
-- belong to this database (the snapshot's xmax when there is none). Transactions of other
-- databases of the cluster cannot write this table, so they do not hold it back: those that
-- pg_stat_get_activity shows in another database are left out. Whatever it cannot tell (a backend
-- of another role, whose xid it hides, a transaction ended since the snapshot, a prepared one)
-- counts as this database's: that can only make the horizon lower, never skip an event.
CREATE FUNCTION fangkong_outbox_horizon() RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT (LEAST(
            pg_snapshot_xmax(snap)::text::bigint,
            (SELECT min(running::text::bigint) FROM pg_snapshot_xip(snap) AS running
              WHERE NOT EXISTS (
                SELECT FROM pg_stat_get_activity(NULL) AS backend
                WHERE backend.backend_xid::text::bigint = running::text::bigint % 4294967296
                  AND backend.datid <> (SELECT oid FROM pg_database WHERE datname = current_database())))
          ) + fangkong_outbox_base()) << 16
  FROM pg_current_snapshot() AS snap
$$;

-- The newest seq a reader may have read: every event up to it is final. 0 when there is none.
CREATE FUNCTION fangkong_outbox_position() RETURNS bigint LANGUAGE sql STABLE AS $$
  SELECT COALESCE(max(seq), 0) FROM "Event" WHERE seq < fangkong_outbox_horizon()
$$;

-- AlterTable
ALTER TABLE "Event" ALTER COLUMN "seq" SET DEFAULT fangkong_event_seq();

-- DropSequence (the BIGSERIAL's)
DROP SEQUENCE "Event_seq_seq";
