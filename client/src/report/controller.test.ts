import { describe, expect, it } from 'vitest';
import { type FormValues, readAnswer, readForm, storedFigures } from './controller.ts';

const zone = 'Asia/Shanghai';
const checkpointForm = (patch: Partial<FormValues> = {}): FormValues => ({
  kind: 'checkpoint',
  target: 'yingbin-road-exit',
  periodStart: '2020-02-07T08:00',
  periodEnd: '2020-02-07T09:00',
  numbers: { vehiclesInspected: '17', peopleScreened: '96', feverCases: '1', hubeiLinked: '0', referred: '1', disinfections: '2' },
  ...patch,
});

describe('reading the form', () => {
  it('makes a submission in zone time under the draft key', () => {
    const reading = readForm(checkpointForm(), 'key-0001', zone);
    expect(reading).toEqual({
      ok: true,
      pending: {
        kind: 'checkpoint',
        input: {
          checkpointId: 'yingbin-road-exit',
          periodStart: '2020-02-07T08:00:00+08:00',
          periodEnd: '2020-02-07T09:00:00+08:00',
          idempotencyKey: 'key-0001',
          vehiclesInspected: 17,
          peopleScreened: 96,
          feverCases: 1,
          hubeiLinked: 0,
          referred: 1,
          disinfections: 2,
        },
      },
    });
  });

  it("refuses figures that break the figures' own limits, as the server would", () => {
    const reading = readForm(checkpointForm({ numbers: { ...checkpointForm().numbers, peopleScreened: '3', feverCases: '4' } }), 'key-0001', zone);
    expect(reading).toEqual({ ok: false, problems: [{ field: 'feverCases', problem: 'rule', issue: expect.objectContaining({ rule: 'NOT_MORE_THAN_FIELD', relatedField: 'peopleScreened', limit: 3, actual: 4 }) }] });
  });

  it('names every field to fix at once', () => {
    const reading = readForm(checkpointForm({ target: '', periodEnd: 'tomorrow', numbers: { ...checkpointForm().numbers, peopleScreened: '12a', feverCases: '-1' } }), 'key-0001', zone);
    expect(reading).toEqual({
      ok: false,
      problems: [
        { field: 'checkpointId', problem: 'choose' },
        { field: 'periodEnd', problem: 'periodEnd' },
        { field: 'peopleScreened', problem: 'notANumber' },
        { field: 'feverCases', problem: 'notANumber' },
      ],
    });
  });

  it('takes a blank figure for a missing one, not for 0', () => {
    expect(readForm(checkpointForm({ numbers: { ...checkpointForm().numbers, hubeiLinked: '' } }), 'key-0001', zone)).toEqual({ ok: false, problems: [{ field: 'hubeiLinked', problem: 'blank' }] });
    const empty = Object.fromEntries(Object.keys(checkpointForm().numbers).map((field) => [field, '  ']));
    const reading = readForm(checkpointForm({ numbers: empty }), 'key-0001', zone);
    expect(reading.ok).toBe(false);
    expect(!reading.ok && reading.problems.map((p) => p.problem)).toEqual(Array(6).fill('blank'));
  });

  it('sends every figure as 0 only when the operator says there is nothing to report', () => {
    const empty = Object.fromEntries(Object.keys(checkpointForm().numbers).map((field) => [field, '']));
    const reading = readForm(checkpointForm({ numbers: empty, nothingToReport: true }), 'key-0001', zone);
    expect(reading.ok && reading.pending.input).toMatchObject({ vehiclesInspected: 0, peopleScreened: 0, feverCases: 0, hubeiLinked: 0, referred: 0, disinfections: 0 });
    // A figure above 0 contradicts "nothing to report"; 0 typed does not.
    const contradicted = readForm(checkpointForm({ numbers: { ...empty, peopleScreened: '12', feverCases: '0' }, nothingToReport: true }), 'key-0001', zone);
    expect(contradicted).toEqual({ ok: false, problems: [{ field: 'peopleScreened', problem: 'notNothing' }] });
  });

  it('reads a line report with its two figures only', () => {
    const reading = readForm({ kind: 'line', target: 'yizhonghong-line-1', periodStart: '2020-02-07T08:00', periodEnd: '2020-02-07T09:00', numbers: { produced: '2000', passedQc: '1960', feverCases: 'x' } }, 'k', zone);
    expect(reading.ok && reading.pending).toEqual({
      kind: 'line',
      input: { lineId: 'yizhonghong-line-1', periodStart: '2020-02-07T08:00:00+08:00', periodEnd: '2020-02-07T09:00:00+08:00', idempotencyKey: 'k', produced: 2000, passedQc: 1960 },
    });
  });
});

describe('reading the answer', () => {
  const pending = (readForm(checkpointForm(), 'key-0001', zone) as { ok: true; pending: import('./draft.ts').PendingSubmission }).pending;

  it('tells a stored report, a field problem, an overlapping period and a refusal apart', () => {
    const stored = readAnswer({ reportCheckpointCounts: { __typename: 'CheckpointReportPayload', duplicate: true } } as never);
    expect(stored).toMatchObject({ kind: 'stored', payload: { duplicate: true } });
    const invalid = readAnswer({ reportCheckpointCounts: { __typename: 'ValidationError', code: 'VALIDATION_FAILED', message: 'm', issues: [{ field: 'feverCases', message: 'cannot exceed peopleScreened' }] } } as never);
    expect(invalid).toEqual({ kind: 'invalid', code: 'VALIDATION_FAILED', message: 'm', issues: [{ field: 'feverCases', message: 'cannot exceed peopleScreened' }] });
    const conflict = readAnswer({ reportProductionOutput: { __typename: 'IdempotencyConflictError', code: 'IDEMPOTENCY_CONFLICT', message: 'key reused' } } as never);
    expect(conflict).toEqual({ kind: 'refused', code: 'IDEMPOTENCY_CONFLICT', message: 'key reused', conflict: true });
    const overlap = readAnswer({
      reportCheckpointCounts: {
        __typename: 'OverlappingReportError',
        code: 'OVERLAPPING_REPORT',
        message: 'periodStart: this period overlaps report r1',
        existingReportId: 'r1',
        existingPeriodStart: '2020-02-07T02:00:00.000Z',
        existingPeriodEnd: '2020-02-07T03:00:00.000Z',
      },
    } as never);
    expect(overlap).toEqual({
      kind: 'overlap',
      code: 'OVERLAPPING_REPORT',
      message: 'periodStart: this period overlaps report r1',
      existing: { id: 'r1', periodStart: '2020-02-07T02:00:00.000Z', periodEnd: '2020-02-07T03:00:00.000Z' },
    });
    const notFound = readAnswer({ reportProductionOutput: { __typename: 'NotFoundError', code: 'NOT_FOUND', message: 'no line' } } as never);
    expect(notFound).toMatchObject({ kind: 'refused', conflict: false });
  });

  it("shows the server's copy when it sent one, else the figures sent", () => {
    const fromServer = storedFigures(pending, {
      __typename: 'CheckpointReportPayload',
      duplicate: false,
      report: { ...pending.input, id: 'r1', reportedAt: '2020-02-07T01:05:00Z', peopleScreened: 999, checkpoint: { name: '迎宾路高速出口', nameEn: 'Yingbin Road exit' } },
    } as never);
    expect(fromServer).toMatchObject({ source: 'server', subject: { name: '迎宾路高速出口' }, figures: { peopleScreened: 999 } });
    const asSent = storedFigures(pending, { __typename: 'CheckpointReportPayload', duplicate: false } as never);
    expect(asSent).toMatchObject({ source: 'sent', subject: null, targetId: 'yingbin-road-exit', figures: { peopleScreened: 96 } });
  });
});
