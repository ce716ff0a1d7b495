// What checkpoint counts and production output have in common: where a report came from, and how
// a report is corrected (a new version replaces it in every total; the original stays in history).
import type { Context } from './context.ts';
import { isRetryOf, type Submission } from './idempotency.ts';
import { checkIdempotencyKey, Rules } from './rules.ts';
import { DayLockedError, IdempotencyConflictError, InvalidStateError, NotFoundError, type OverlappedReport, OverlappingReportError, ValidationError } from './write-errors.ts';
import { prismaEnum } from './enums.ts';
import { $Enums } from '@fangkong/prisma';

export const ReportSource = prismaEnum($Enums.ReportSource, 'ReportSource', 'Where a report came from.', {
  MANUAL: 'Entered by an operator.',
  GATE_SCAN: 'Counted by QR-code gate scanning.',
  SIMULATED: 'Produced by the simulator; not real data.',
});

interface ReportVersion {
  id: string;
  supersededAt: Date | null;
  payloadHash: string | null;
}

/**
 * The correction of a locked, already validated report version, inside the write's transaction. A
 * retry with the same key and payload returns the correction made before (duplicate); the same key
 * with another payload is refused; only the latest version may be corrected.
 */
export async function correctReport<R extends ReportVersion>(
  ctx: Context,
  original: R,
  key: Submission,
  store: {
    byKey(idempotencyKey: string): Promise<R | null>;
    markSuperseded(id: string, at: Date): Promise<R>;
    insertCorrection(): Promise<R>;
  },
): Promise<{ report: R; duplicate: true } | { report: R; duplicate: false; superseded: R }> {
  const replay = await store.byKey(key.idempotencyKey);
  if (replay) {
    if (!isRetryOf(replay, key)) throw new IdempotencyConflictError(key.idempotencyKey);
    return { report: replay, duplicate: true };
  }
  if (original.supersededAt) throw new InvalidStateError('reportId', 'superseded', 'this version was already corrected; correct the latest version instead');
  const superseded = await store.markSuperseded(original.id, ctx.now());
  return { report: await store.insertCorrection(), duplicate: false, superseded };
}

/** What a correction may answer besides the corrected report. */
export const CORRECTION_ERRORS = [ValidationError, NotFoundError, IdempotencyConflictError, InvalidStateError, DayLockedError];

/** The reason and key every correction carries, checked before anything is read. */
export function checkCorrection(args: { reason: string; idempotencyKey: string }): void {
  const rules = new Rules().text('reason', args.reason, { required: true, max: 1000 });
  checkIdempotencyKey(rules, args.idempotencyKey);
  rules.check();
}

/** The columns a correction takes over from the version it replaces, and says about itself. */
export function correctionColumns<R extends { id: string; periodStart: Date; periodEnd: Date; source: $Enums.ReportSource; predatesOverlapRule: boolean }>(
  original: R,
  ctx: Context,
  reason: string,
) {
  return {
    periodStart: original.periodStart,
    periodEnd: original.periodEnd,
    source: original.source,
    // A correction of an overlap stored before the rule stays outside it, or it could never be made.
    predatesOverlapRule: original.predatesOverlapRule,
    reportedBy: ctx.actor,
    supersedesId: original.id,
    correctionReason: reason.trim(),
  };
}

type ReportTable = OverlappedReport['type'];

/** The exclusion constraints that keep current versions from overlapping (migration report_periods_exclusive). */
const PERIOD_CONSTRAINTS: Record<ReportTable, string> = {
  CheckpointReport: 'CheckpointReport_current_period_excl',
  OutputReport: 'OutputReport_current_period_excl',
};

const CORRECT_WITH: Record<ReportTable, OverlappedReport['correctWith']> = { CheckpointReport: 'correctCheckpointReport', OutputReport: 'correctOutputReport' };

/** Whether the database refused a row because its period overlaps a current version (SQLSTATE 23P01 on our constraint). */
function overlapsCurrentVersion(error: unknown, table: ReportTable): boolean {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { code?: string; message?: string } } } } | null)?.meta?.driverAdapterError?.cause;
  return cause?.code === '23P01' && !!cause.message?.includes(`"${PERIOD_CONSTRAINTS[table]}"`);
}

/** Current versions under the overlap rule whose period overlaps [start, end). */
export const overlappingCurrent = (start: Date, end: Date) => ({ supersededAt: null, predatesOverlapRule: false, periodStart: { lt: end }, periodEnd: { gt: start } });

/** A stored row under the submission's key as a retry answers it (duplicate), or a refusal of the reused key; null when there is none. */
export function replayOf<R extends ReportVersion>(stored: R | null, key: Submission): { report: R; duplicate: true } | null {
  if (!stored) return null;
  if (!isRetryOf(stored, key)) throw new IdempotencyConflictError(key.idempotencyKey);
  return { report: stored, duplicate: true };
}

/**
 * Runs a new report's write under the rule that current versions of one checkpoint (line) never
 * overlap in time. The database's exclusion constraint decides, so of two concurrent reports of one
 * period exactly one gets in. Its refusal aborts the write's transaction, so what it means is read
 * afterwards: a concurrent twin under the same key is answered as any retry is; otherwise the
 * refusal names the report already counted.
 */
export async function refusingOverlaps<T>(
  table: ReportTable,
  write: () => Promise<T>,
  after: { replay(): Promise<T | null>; overlapped(): Promise<{ id: string; periodStart: Date; periodEnd: Date } | null> },
): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!overlapsCurrentVersion(error, table)) throw error;
    const replay = await after.replay();
    if (replay) return replay;
    // Current versions are only ever replaced by a correction of the same period, so the one the
    // database saw is still there (or its correction is).
    const existing = await after.overlapped();
    if (!existing) throw error;
    throw new OverlappingReportError({ type: table, ...existing, correctWith: CORRECT_WITH[table] });
  }
}
