// Where checkpoint counts are reported, validated (the figures' limits come from @fangkong/zone) and corrected.
import { randomUUID } from 'node:crypto';
import { type CheckpointReport, Prisma } from '@fangkong/prisma';
import { CHECKPOINT_FIGURE_NAMES, CHECKPOINT_FIGURES, type CheckpointCounts, FieldRule } from '@fangkong/zone';
import { builder, type SchemaTypes } from '../core/builder.ts';
import { type Change, commitChange, type Tx } from '../core/changes.ts';
import type { Context } from '../core/context.ts';
import { enumValue, insertIdempotent, type Submission, submission } from '../core/idempotency.ts';
import { checkCorrection, CORRECTION_ERRORS, correctionColumns, correctReport, overlappingCurrent, refusingOverlaps, replayOf, ReportSource } from '../core/reports.ts';
import { insertReportAtOnce } from '../core/report-insert.ts';
import { checkIdempotencyKey, Rules } from '../core/rules.ts';
import { instant } from '../core/sql.ts';
import { lockRow } from '../core/writes.ts';
import { DayLockedError, IdempotencyConflictError, NotFoundError, OverlappingReportError, ValidationError } from '../core/write-errors.ts';
import { CheckpointRef, CheckpointReportRef } from './checkpoints.ts';
import type { EventTypeName } from '../core/event-types.ts';

/** One input field per figure, described as the figure is; counts left out are 0 in a report. */
const countFields = (t: PothosSchemaTypes.InputFieldBuilder<SchemaTypes, 'InputObject'>, defaultZero: boolean) =>
  Object.fromEntries(
    CHECKPOINT_FIGURES.map((figure) => [figure.name, t.int({ required: false, ...(defaultZero ? { defaultValue: 0 } : {}), description: figure.description })]),
  ) as Record<keyof CheckpointCounts, ReturnType<typeof t.int>>;

const countsFrom = (pick: (figure: keyof CheckpointCounts) => number): CheckpointCounts =>
  Object.fromEntries(CHECKPOINT_FIGURE_NAMES.map((name) => [name, pick(name)])) as CheckpointCounts;

const ReportCheckpointCountsInput = builder.inputType('ReportCheckpointCountsInput', {
  description: 'Counts one checkpoint saw in one interval. Counts default to 0.',
  fields: (t) => ({
    checkpointId: t.globalID({ for: CheckpointRef, required: true, description: 'The reporting checkpoint.' }),
    periodStart: t.field({ type: 'DateTime', required: true, description: 'Start of the interval.' }),
    periodEnd: t.field({ type: 'DateTime', required: true, description: 'End of the interval: after the start, at most 24 h later, not in the future.' }),
    ...countFields(t, true),
    source: t.field({ type: ReportSource, required: false, defaultValue: 'MANUAL', description: 'Manual entry, gate scanner or simulator.' }),
    idempotencyKey: t.string({
      required: true,
      description: 'Chosen by the client once per report and reused on every retry: a retry returns the original and adds nothing.',
    }),
  }),
});

const CorrectCheckpointReportInput = builder.inputType('CorrectCheckpointReportInput', {
  description: 'The corrected figures; a count left out keeps its value from the report being corrected.',
  fields: (t) => countFields(t, false),
});

const CheckpointReportPayload = builder.objectRef<{ report: CheckpointReport; duplicate: boolean }>('CheckpointReportPayload').implement({
  description: 'The stored report.',
  fields: (t) => ({
    report: t.field({ type: CheckpointReportRef, description: 'The report as stored.', resolve: (p) => p.report }),
    duplicate: t.exposeBoolean('duplicate', { description: 'True when this was a retry of an earlier submission: nothing new was written.' }),
  }),
});

/** A checkpoint closed at `closedAt` (or for good) takes no report of a period starting then or later. */
const closedError = (id: string, closedAt: Date | null) =>
  new ValidationError([
    { field: 'checkpointId', message: `${id} is closed${closedAt ? ` since ${closedAt.toISOString()}` : ''}`, rule: FieldRule.SiteClosed, ...(closedAt ? { at: closedAt.toISOString() } : {}) },
  ]);

export function reportChange(type: EventTypeName, report: CheckpointReport, before?: CheckpointReport): Change {
  return {
    type,
    entityType: 'CheckpointReport',
    entityId: report.id,
    before,
    after: report,
    payload: {
      checkpointId: report.checkpointId,
      periodStart: report.periodStart,
      periodEnd: report.periodEnd,
      source: report.source,
      ...countsFrom((k) => report[k]),
      ...(before ? { supersedes: before.id } : {}),
    },
  };
}

type NewReport = Omit<CheckpointReport, 'id' | 'createdAt' | 'supersededAt' | 'idempotencyKey' | 'payloadHash'>;

/** A report's columns as the inserts write them (instants and the enum cast for raw SQL). */
const reportColumns = ({ idempotencyKey: _key, payloadHash: _hash, supersededAt: _superseded, ...row }: NewReport & Partial<Omit<CheckpointReport, 'createdAt'>>) => ({
  ...row,
  periodStart: instant(row.periodStart),
  periodEnd: instant(row.periodEnd),
  source: enumValue('ReportSource', row.source),
});

function insertReport(tx: Tx, row: NewReport, key: Submission) {
  return insertIdempotent<CheckpointReport>(
    tx,
    'CheckpointReport',
    reportColumns(row),
    key,
    {
      byId: (id) => tx.checkpointReport.findUniqueOrThrow({ where: { id } }),
      byKey: (idempotencyKey) => tx.checkpointReport.findUniqueOrThrow({ where: { idempotencyKey } }),
    },
  );
}

builder.mutationFields((t) => ({
  reportCheckpointCounts: t.field({
    authScopes: (_root, args) => ({ operates: args.input.checkpointId.id }),
    type: CheckpointReportPayload,
    description:
      "Report a checkpoint's counts for one interval. Safe to retry with the same idempotency key. A period that overlaps a report already counted for the checkpoint is refused: correct that report instead.",
    errors: { types: [ValidationError, NotFoundError, IdempotencyConflictError, OverlappingReportError, DayLockedError] },
    args: { input: t.arg({ type: ReportCheckpointCountsInput, required: true, description: 'The report.' }) },
    resolve: async (_root, { input }, ctx) => {
      const counts = countsFrom((k) => input[k] ?? 0);
      const rules = new Rules().figures(CHECKPOINT_FIGURES, counts);
      rules.period(input.periodStart, input.periodEnd, ctx.now());
      checkIdempotencyKey(rules, input.idempotencyKey);
      rules.check();
      const source = input.source ?? 'MANUAL';
      const key = submission(input.idempotencyKey, { checkpointId: input.checkpointId.id, periodStart: input.periodStart, periodEnd: input.periodEnd, source, ...counts });
      // One statement writes the report, its audit entry and its event (core/report-insert.ts).
      const write = async (): Promise<{ report: CheckpointReport; duplicate: boolean }> => {
        const report: Omit<CheckpointReport, 'createdAt'> = {
          id: randomUUID(),
          checkpointId: input.checkpointId.id,
          periodStart: input.periodStart,
          periodEnd: input.periodEnd,
          ...counts,
          source,
          reportedBy: ctx.actor,
          idempotencyKey: key.idempotencyKey,
          payloadHash: key.payloadHash,
          supersedesId: null,
          supersededAt: null,
          correctionReason: null,
          predatesOverlapRule: false,
        };
        const { target: checkpoint, inserted } = await insertReportAtOnce<{ id: string; closedAt: string | null }>(ctx, {
          table: 'CheckpointReport',
          columns: reportColumns(report),
          key,
          // Closed since before the period starts (or for good): refused.
          target: Prisma.sql`
            SELECT id, "closedAt", NOT (status = 'CLOSED' AND ("closedAt" IS NULL OR ${instant(input.periodStart)} >= "closedAt")) AS admit, '{}'::jsonb AS extra
            FROM "Checkpoint" WHERE id = ${input.checkpointId.id}`,
          change: reportChange('checkpointReport:reported', report as CheckpointReport),
        });
        if (!checkpoint) throw new NotFoundError('checkpoint', input.checkpointId.id, 'checkpointId');
        if (!checkpoint.admit) throw closedError(checkpoint.id, checkpoint.closedAt ? new Date(checkpoint.closedAt) : null);
        if (inserted) return { report: { ...report, createdAt: inserted.createdAt }, duplicate: false };
        // The key is taken: a retry, or a reuse with another payload (read now, so a twin committed meanwhile is seen).
        const replay = replayOf(await ctx.prisma.checkpointReport.findUnique({ where: { idempotencyKey: key.idempotencyKey } }), key);
        if (replay) return replay;
        throw new Error(`report under key ${key.idempotencyKey} was neither stored nor found`);
      };
      return refusingOverlaps('CheckpointReport', write, {
        replay: async () => replayOf(await ctx.prisma.checkpointReport.findUnique({ where: { idempotencyKey: key.idempotencyKey } }), key),
        overlapped: () =>
          ctx.prisma.checkpointReport.findFirst({
            where: { checkpointId: input.checkpointId.id, ...overlappingCurrent(input.periodStart, input.periodEnd) },
            orderBy: { periodStart: 'asc' },
            select: { id: true, periodStart: true, periodEnd: true },
          }),
      });
    },
  }),
  correctCheckpointReport: t.field({
    authScopes: async (_root, args, ctx) => ({
      operates: (await ctx.prisma.checkpointReport.findUnique({ where: { id: args.reportId.id }, select: { checkpointId: true } }))?.checkpointId ?? '',
      // Admins and commanders may also correct (an operator's figure found wrong on inspection).
      command: true,
    }),
    type: CheckpointReportPayload,
    description: 'Correct a report: the correction replaces it in every total; the original stays in history. Only the latest version can be corrected.',
    errors: { types: CORRECTION_ERRORS },
    args: {
      reportId: t.arg.globalID({ for: CheckpointReportRef, required: true, description: 'The report version to correct.' }),
      input: t.arg({ type: CorrectCheckpointReportInput, required: true, description: 'The corrected figures.' }),
      reason: t.arg.string({ required: true, description: 'Why (kept in history; under-reporting is a disciplinary matter).' }),
      idempotencyKey: t.arg.string({ required: true, description: 'Reused on retries of this correction.' }),
    },
    resolve: async (_root, args, ctx: Context) => {
      checkCorrection(args);
      return commitChange(ctx, async (tx) => {
        const id = await lockRow(tx, 'CheckpointReport', args.reportId.id, { entity: 'checkpoint report', field: 'reportId' });
        const original = await tx.checkpointReport.findUniqueOrThrow({ where: { id } });
        const counts = countsFrom((k) => args.input[k] ?? original[k]);
        new Rules().figures(CHECKPOINT_FIGURES, counts).check();
        const key = submission(args.idempotencyKey, { corrects: original.id, reason: args.reason.trim(), ...counts });
        const result = await correctReport(ctx, original, key, {
          byKey: (idempotencyKey) => tx.checkpointReport.findUnique({ where: { idempotencyKey } }),
          markSuperseded: (supersededId, at) => tx.checkpointReport.update({ where: { id: supersededId }, data: { supersededAt: at } }),
          insertCorrection: async () =>
            (
              await insertReport(
                tx,
                { checkpointId: original.checkpointId, ...counts, ...correctionColumns(original, ctx, args.reason) },
                key,
              )
            ).row,
        });
        if (result.duplicate) return { value: result, change: null };
        return { value: { report: result.report, duplicate: false }, change: reportChange('checkpointReport:corrected', result.report, result.superseded) };
      });
    },
  }),
}));
