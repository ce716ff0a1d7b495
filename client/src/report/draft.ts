// A report being written. Its idempotency key is chosen once, when the draft starts, and travels
// with every submission of it, including retries after a reload (queue.ts keeps reports waiting to
// be sent; PENDING_KEY is where the earlier page kept its single one).

import { CHECKPOINT_FIGURE_NAMES, type CheckpointCounts, type CheckpointFigure, OUTPUT_FIGURE_NAMES, type OutputFigure } from '@fangkong/zone';

export type ReportKind = 'checkpoint' | 'line';

export const COUNT_FIELDS = CHECKPOINT_FIGURE_NAMES;
export const OUTPUT_FIELDS = OUTPUT_FIGURE_NAMES;
export type CountField = CheckpointFigure;
export type OutputField = OutputFigure;

export type CheckpointInput = CheckpointCounts & {
  checkpointId: string;
  periodStart: string;
  periodEnd: string;
  idempotencyKey: string;
};

export interface LineInput {
  lineId: string;
  periodStart: string;
  periodEnd: string;
  idempotencyKey: string;
  produced: number;
  passedQc: number;
}

export type PendingSubmission = { kind: 'checkpoint'; input: CheckpointInput } | { kind: 'line'; input: LineInput };

export const PENDING_KEY = 'fangkong.pendingReport';

export function newIdempotencyKey(random: { randomUUID(): string } = crypto): string {
  return random.randomUUID();
}

/**
 * A whole number ≥ 0 from a form field; anything else is null (invalid). An empty field is null too:
 * blank is not zero (an operator who saw nobody types 0, or says there is nothing to report).
 */
export function parseCount(raw: string): number | null {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return Number.isSafeInteger(n) && n <= 2_147_483_647 ? n : null;
}

export function loadPending(storage: Pick<Storage, 'getItem'>): PendingSubmission | null {
  try {
    const raw = storage.getItem(PENDING_KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as PendingSubmission;
    if ((parsed.kind === 'checkpoint' || parsed.kind === 'line') && typeof parsed.input?.idempotencyKey === 'string') return parsed;
    return null;
  } catch {
    return null;
  }
}
