// The outbox ("Event"): every committed change appends one event, and every reader (the live
// followers of every instance, `events(after)`, the `asOfSeq` of live values) must see them in one
// order, each exactly once, with no gap: a reader that has taken seq n must never later find a
// smaller one committed.
//
// Writers used to get that by taking one advisory lock before appending and holding it to commit,
// so events became visible in sequence order. That lock serialised every writer of every instance
// through its commit (WAL flush included). Now writers take no lock and share no counter:
//
// 1. An event's seq is made of the id of the transaction that writes it (the migration
//    outbox_without_lock, fangkong_event_seq()):
//        seq = (pg_current_xact_id() + base) × 65536 + n     (n = 0, 1, … within the transaction)
//    Seq order is the order of transaction ids, then of appends within one transaction.
// 2. A reader takes only events below the horizon, fangkong_outbox_horizon(), computed in the
//    snapshot of the very statement that reads: (h + base) × 65536, where h is the oldest
//    transaction id that the snapshot says is still running and that may belong to this database
//    (its xmax when there is none).
//
// Why no event is ever skipped or repeated: a transaction id below h is, at the reader's snapshot,
// either ended (committed, so its events are visible to that snapshot, or rolled back, so it has
// none) or running in another database of the cluster (which cannot write this table). Ids handed
// out later are ≥ the snapshot's xmax ≥ h. So the set of events below the horizon is final: no
// later commit can add one, and a later read's horizon is never lower. A reader that pages through
// `seq > cursor AND seq < horizon` in seq order therefore sees every event once, whatever order the
// writers committed in. An event of a transaction still running (or of one that committed after an
// older one still running) waits until the older ones end: its delivery is delayed, never lost.
//
// Why not the simpler "seqs from a sequence, read only events whose xid is below xmin": a sequence
// hands out seqs in the order of the nextval calls, not of transaction ids. A transaction with id
// 100 may take seq 11 after the one with id 101 took seq 10; when 100 commits, seq 11 is below the
// horizon and seq 10 (of 101, still running) is not visible: a reader in seq order takes 11 and
// moves its cursor past 10 for ever. Ordering by the transaction id itself closes that hole, and
// putting it in the seq keeps the cursor one number, in one order, for every client.
//
// Why the horizon looks at other databases' transactions at all: pg_snapshot_xmin alone would hold
// every reader back behind any long transaction anywhere in the cluster (another application's,
// another test's). Those of other databases are left out when pg_stat_get_activity shows them
// there; anything it cannot tell counts as this database's, which can only lower the horizon. (It
// shows the transaction ids of other roles' sessions only to members of pg_read_all_stats: on a
// cluster shared with other applications, grant that role to the server's, or their long
// transactions delay delivery here too.)
//
// The embedded database (PGlite) runs one transaction at a time; the same functions work there and
// the horizon is simply "everything committed".
//
// Costs: one small SQL function call per append (no lock, no shared row); one pg_stat_get_activity
// scan per read. A transaction that stays open holds delivery back (not writes) until it ends; the
// statement timeout and the interactive transactions' 15 s bound how long.
import type { PrismaClient } from './generated/client/client.ts';

/** Events per transaction: the low 16 bits of a seq. */
const PER_TRANSACTION = 16n;

/** One outbox row as readers take it. */
export interface OutboxRow {
  seq: bigint;
  type: string;
  subjectType: string;
  subjectId: string;
  payload: unknown;
  occurredAt: Date;
}

/** Up to `limit` events after `after`, in seq order, all below the horizon: final, none will ever appear before them. */
export function readOutboxAfter(prisma: PrismaClient, after: bigint, limit: number): Promise<OutboxRow[]> {
  return prisma.$queryRaw<OutboxRow[]>`
    SELECT seq, type, "subjectType", "subjectId", payload, "occurredAt" FROM "Event"
    WHERE seq > ${after} AND seq < fangkong_outbox_horizon()
    ORDER BY seq LIMIT ${limit}`;
}

/**
 * The newest event every reader may already have taken (0 when none): the position a new follower
 * starts from, and what a live value says it includes. A Prisma promise, so it can join a batch.
 */
export function outboxPosition(prisma: Pick<PrismaClient, '$queryRaw'>) {
  return prisma.$queryRaw<{ seq: bigint }[]>`SELECT fangkong_outbox_position() AS seq`;
}

/**
 * For monitoring: the outbox position, and how many events a reader at `after` has still to take
 * (counted up to `cap`, so a reader far behind costs a bounded scan of the seq index).
 */
export async function outboxBacklog(prisma: Pick<PrismaClient, '$queryRaw'>, after: bigint, cap = 100_000): Promise<{ head: bigint; behind: number }> {
  const [row] = await prisma.$queryRaw<{ head: bigint; behind: bigint }[]>`
    SELECT fangkong_outbox_position() AS head,
           (SELECT count(*) FROM (SELECT 1 FROM "Event" WHERE seq > ${after} AND seq < fangkong_outbox_horizon() LIMIT ${cap}) AS pending) AS behind`;
  return { head: row?.head ?? 0n, behind: Number(row?.behind ?? 0n) };
}

/**
 * Keeps new seqs above every stored one. They are, as long as the events were written by this
 * cluster: transaction ids only grow. A dump restored into another cluster starts its ids again,
 * so the stored events would sit above every new one and followers would never see new events.
 * That shows as a stored seq whose transaction id is not yet handed out; then the base offset is
 * raised (under a lock, checked again, so two instances starting at once raise it once). Run after
 * the migrations, before anything writes; returns the new base, or null when nothing changed.
 */
export async function ensureOutboxPositions(prisma: PrismaClient): Promise<bigint | null> {
  const [defined] = await prisma.$queryRaw<{ ok: boolean }[]>`SELECT to_regprocedure('fangkong_outbox_base()') IS NOT NULL AS ok`;
  if (!defined?.ok) return null; // migrations before outbox_without_lock (tests of older migrations)
  const needed = async (query: PrismaClient['$queryRaw']) => {
    const [row] = await query<{ newest: bigint | null; base: bigint; xmin: bigint; xmax: bigint }[]>`
      SELECT (SELECT max(seq) FROM "Event") AS newest, fangkong_outbox_base() AS base,
             pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS xmin, pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xmax`;
    if (!row || row.newest === null) return null;
    const newestXid = (row.newest >> PER_TRANSACTION) - row.base;
    return newestXid >= row.xmax ? (row.newest >> PER_TRANSACTION) + 1n - row.xmin : null;
  };
  if ((await needed(prisma.$queryRaw.bind(prisma))) === null) return null;
  return prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${0x66616e67})`;
    const base = await needed(tx.$queryRaw.bind(tx));
    if (base === null) return null;
    await tx.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION fangkong_outbox_base() RETURNS bigint LANGUAGE sql STABLE PARALLEL SAFE AS $$ SELECT ${base}::bigint $$`);
    return base;
  });
}
