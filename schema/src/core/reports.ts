// What checkpoint counts and production output have in common: where a report came from, and how
// a report is corrected (a new version replaces it in every total; the original stays in history).
import type { Context } from './context.ts';
import { isRetryOf, type Submission } from './idempotency.ts';
import { checkIdempotencyKey, Rules } from './rules.ts';
import { IdempotencyConflictError, InvalidStateError, NotFoundError, ValidationError } from './write-errors.ts';
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
export const CORRECTION_ERRORS = [ValidationError, NotFoundError, IdempotencyConflictError, InvalidStateError];

/** The reason and key every correction carries, checked before anything is read. */
export function checkCorrection(args: { reason: string; idempotencyKey: string }): void {
  const rules = new Rules().text('reason', args.reason, { required: true, max: 1000 });
  checkIdempotencyKey(rules, args.idempotencyKey);
  rules.check();
}

/** The columns a correction takes over from the version it replaces, and says about itself. */
export function correctionColumns<R extends { id: string; periodStart: Date; periodEnd: Date; source: $Enums.ReportSource }>(original: R, ctx: Context, reason: string) {
  return {
    periodStart: original.periodStart,
    periodEnd: original.periodEnd,
    source: original.source,
    reportedBy: ctx.actor,
    supersedesId: original.id,
    correctionReason: reason.trim(),
  };
}
