// The report page's decisions, without the DOM: what a filled-in form means (a submission or the
// fields to fix), and what the server's answer means (stored, invalid, refused). Unit-tested; main.ts
// wires them to the page (view.ts).
import { CHECKPOINT_FIGURES, ErrorCode, type FieldIssue, figureIssues, fromZonedLocal, OUTPUT_FIGURES, toZonedIso } from '@fangkong/zone';
import type { IssueToWord } from '../i18n/errors.ts';
import type { ResultOf } from '../graphql/graphql.ts';
import { COUNT_FIELDS, type CountField, OUTPUT_FIELDS, type OutputField, type PendingSubmission, parseCount, type ReportKind } from './draft.ts';
import type { CorrectCheckpointReportMutation, CorrectOutputReportMutation, ReportCheckpointCountsMutation, ReportProductionOutputMutation } from './operations.ts';

/** The form as typed: the chosen target, the two datetime-local values and each number field's text. */
export interface FormValues {
  kind: ReportKind;
  target: string;
  periodStart: string;
  periodEnd: string;
  numbers: Record<string, string>;
  /** The operator confirmed there is nothing to report for the period: every figure is 0. */
  nothingToReport?: boolean;
}

/** Why a field cannot be sent; the page words it (messages.ts). */
export type FormProblem = 'choose' | 'periodStart' | 'periodEnd' | 'notANumber' | 'blank' | 'notNothing' | 'rule';

/** A problem the page found in the form; `issue` for a figure's own rule (`problem: 'rule'`). */
export type FormProblemAt = { field: string; problem: FormProblem; issue?: FieldIssue };
export type FormReading = { ok: true; pending: PendingSubmission } | { ok: false; problems: FormProblemAt[] };

/** The submission a form describes, under the draft's idempotency key, with periods in the zone's time. */
export function readForm(values: FormValues, idempotencyKey: string, timeZone: string): FormReading {
  const problems: FormProblemAt[] = [];
  if (!values.target) problems.push({ field: values.kind === 'checkpoint' ? 'checkpointId' : 'lineId', problem: 'choose' });
  const start = fromZonedLocal(values.periodStart, timeZone);
  const end = fromZonedLocal(values.periodEnd, timeZone);
  if (!start) problems.push({ field: 'periodStart', problem: 'periodStart' });
  if (!end) problems.push({ field: 'periodEnd', problem: 'periodEnd' });
  const numbers: Record<string, number> = {};
  // Blank is not zero: each figure is typed, or the operator says there is nothing to report (then
  // every figure is 0, and one typed above 0 contradicts it).
  for (const field of values.kind === 'checkpoint' ? COUNT_FIELDS : OUTPUT_FIELDS) {
    const raw = (values.numbers[field] ?? '').trim();
    const value = raw === '' ? null : parseCount(raw);
    if (values.nothingToReport) {
      if (raw !== '' && value !== 0) problems.push({ field, problem: 'notNothing' });
      numbers[field] = 0;
    } else if (raw === '') problems.push({ field, problem: 'blank' });
    else if (value === null) problems.push({ field, problem: 'notANumber' });
    else numbers[field] = value;
  }
  // The figures' own limits (fever cases ≤ people screened …), the very rules the server applies.
  if (!problems.some((p) => p.problem !== 'choose')) {
    const issues = values.kind === 'checkpoint' ? figureIssues(CHECKPOINT_FIGURES, numbers as Record<CountField, number>) : figureIssues(OUTPUT_FIGURES, numbers as Record<OutputField, number>);
    for (const issue of issues) problems.push({ field: issue.field, problem: 'rule', issue });
  }
  if (problems.length || !start || !end) return { ok: false, problems };
  const period = { periodStart: toZonedIso(start, timeZone), periodEnd: toZonedIso(end, timeZone), idempotencyKey };
  if (values.kind === 'checkpoint') {
    return { ok: true, pending: { kind: 'checkpoint', input: { checkpointId: values.target, ...period, ...(numbers as Record<CountField, number>) } } };
  }
  return { ok: true, pending: { kind: 'line', input: { lineId: values.target, ...period, ...(numbers as Record<OutputField, number>) } } };
}

export type CheckpointResult = ResultOf<typeof ReportCheckpointCountsMutation>;
export type LineResult = ResultOf<typeof ReportProductionOutputMutation>;
export type CheckpointCorrectionResult = ResultOf<typeof CorrectCheckpointReportMutation>;
export type LineCorrectionResult = ResultOf<typeof CorrectOutputReportMutation>;
type WriteResult =
  | CheckpointResult['reportCheckpointCounts']
  | LineResult['reportProductionOutput']
  | CheckpointCorrectionResult['correctCheckpointReport']
  | LineCorrectionResult['correctOutputReport'];
export type StoredPayload = Extract<WriteResult, { __typename: 'CheckpointReportPayload' | 'OutputReportPayload' }>;

export type Answer =
  | { kind: 'stored'; payload: StoredPayload }
  | { kind: 'invalid'; code: string; message: string; issues: ({ field: string } & IssueToWord)[] }
  /** `conflict`: the key was used before with other figures; only a new report (a new key) can go on. */
  | { kind: 'refused'; code: string; message: string; conflict: boolean; field?: string; day?: string }
  /** The period overlaps a report already counted: nothing was added; the period must change, or that report be corrected. */
  | { kind: 'overlap'; code: string; message: string; existing: { id: string; periodStart: string; periodEnd: string } };

/** What the server said of a report. */
export function readAnswer(data: CheckpointResult | LineResult | CheckpointCorrectionResult | LineCorrectionResult): Answer {
  const result: WriteResult =
    'reportCheckpointCounts' in data
      ? data.reportCheckpointCounts
      : 'reportProductionOutput' in data
        ? data.reportProductionOutput
        : 'correctCheckpointReport' in data
          ? data.correctCheckpointReport
          : data.correctOutputReport;
  if (result.__typename === 'CheckpointReportPayload' || result.__typename === 'OutputReportPayload') return { kind: 'stored', payload: result };
  if (result.__typename === 'ValidationError') return { kind: 'invalid', code: result.code, message: result.message, issues: result.issues };
  if (result.__typename === 'OverlappingReportError') {
    return {
      kind: 'overlap',
      code: result.code,
      message: result.message,
      existing: { id: result.existingReportId, periodStart: result.existingPeriodStart, periodEnd: result.existingPeriodEnd },
    };
  }
  return {
    kind: 'refused',
    code: result.code,
    message: result.message,
    conflict: result.code === ErrorCode.IdempotencyConflict || result.__typename === 'IdempotencyConflictError',
    ...('field' in result && typeof result.field === 'string' ? { field: result.field } : {}),
    ...('day' in result && typeof result.day === 'string' ? { day: result.day } : {}),
  };
}

/** The figures to show for a stored report: the server's copy when it sent one, else the ones sent. */
export function storedFigures(pending: PendingSubmission, payload: StoredPayload) {
  const stored = payload.report ?? null;
  const figures: { periodStart: string; periodEnd: string } & Partial<Record<CountField | OutputField, number>> = stored ?? pending.input;
  return {
    figures,
    fields: pending.kind === 'checkpoint' ? COUNT_FIELDS : OUTPUT_FIELDS,
    source: stored ? ('server' as const) : ('sent' as const),
    /** The subject's names as the server stored them; null when only the confirmation came back. */
    subject: stored ? ('checkpoint' in stored ? stored.checkpoint : stored.line) : null,
    targetId: pending.kind === 'checkpoint' ? pending.input.checkpointId : pending.input.lineId,
  };
}
