import type { CheckpointReport } from '@fangkong/prisma';
import { builder, type SchemaTypes } from '../core/builder.ts';
import { type Change, commitChange, payloadHash, type Tx } from '../core/changes.ts';
import { CheckpointRef, CheckpointReportRef, ReportSource } from './checkpoints.ts';
import type { Context } from '../core/context.ts';
import { enumValue, insertIdempotent } from '../core/idempotency.ts';
import { checkIdempotencyKey, Rules } from '../core/rules.ts';
import { utc } from '../core/sql.ts';
import { IdempotencyConflictError, InvalidStateError, NotFoundError, ValidationError } from '../core/write-errors.ts';

/** Sane maxima per report: far above any real hour at one site, low enough to catch typos. */
export const CHECKPOINT_LIMITS = { vehiclesInspected: 100_000, peopleScreened: 1_000_000, disinfections: 100_000 } as const;

const COUNTS = ['vehiclesInspected', 'peopleScreened', 'feverCases', 'hubeiLinked', 'referred', 'disinfections'] as const;
type Counts = Record<(typeof COUNTS)[number], number>;

/** Every count rule, on the numbers as they would be stored. */
function checkCounts(rules: Rules, counts: Counts): void {
  rules
    .count('vehiclesInspected', counts.vehiclesInspected, CHECKPOINT_LIMITS.vehiclesInspected)
    .count('peopleScreened', counts.peopleScreened, CHECKPOINT_LIMITS.peopleScreened)
    .count('feverCases', counts.feverCases, CHECKPOINT_LIMITS.peopleScreened)
    .count('hubeiLinked', counts.hubeiLinked, CHECKPOINT_LIMITS.peopleScreened)
    .count('referred', counts.referred, CHECKPOINT_LIMITS.peopleScreened)
    .count('disinfections', counts.disinfections, CHECKPOINT_LIMITS.disinfections)
    .notMore('feverCases', counts.feverCases, 'peopleScreened', counts.peopleScreened)
    .notMore('hubeiLinked', counts.hubeiLinked, 'peopleScreened', counts.peopleScreened)
    .notMore('referred', counts.referred, 'peopleScreened', counts.peopleScreened);
}

const countFields = (t: PothosSchemaTypes.InputFieldBuilder<SchemaTypes, 'InputObject'>, defaultZero: boolean) => ({
  vehiclesInspected: t.int({ required: false, ...(defaultZero ? { defaultValue: 0 } : {}), description: 'Vehicles inspected.' }),
  peopleScreened: t.int({ required: false, ...(defaultZero ? { defaultValue: 0 } : {}), description: 'People screened (temperature taken).' }),
  feverCases: t.int({ required: false, ...(defaultZero ? { defaultValue: 0 } : {}), description: 'Fever cases found; at most peopleScreened.' }),
  hubeiLinked: t.int({ required: false, ...(defaultZero ? { defaultValue: 0 } : {}), description: 'People with recent Hubei travel; at most peopleScreened.' }),
  referred: t.int({ required: false, ...(defaultZero ? { defaultValue: 0 } : {}), description: 'People referred to isolation or care; at most peopleScreened.' }),
  disinfections: t.int({ required: false, ...(defaultZero ? { defaultValue: 0 } : {}), description: 'Disinfections done.' }),
});

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

async function loadCheckpoint(tx: Tx, id: string, field: string) {
  const checkpoint = await tx.checkpoint.findUnique({ where: { id } });
  if (!checkpoint) throw new NotFoundError('checkpoint', id, field);
  return checkpoint;
}

function reportChange(type: string, report: CheckpointReport, before?: CheckpointReport): Change {
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
      ...Object.fromEntries(COUNTS.map((k) => [k, report[k]])),
      ...(before ? { supersedes: before.id } : {}),
    },
  };
}

function insertReport(tx: Tx, row: Omit<CheckpointReport, 'id' | 'createdAt' | 'supersededAt' | 'idempotencyKey' | 'payloadHash'>, key: { idempotencyKey: string; payloadHash: string }) {
  return insertIdempotent<CheckpointReport>(
    tx,
    'CheckpointReport',
    { ...row, periodStart: utc(row.periodStart), periodEnd: utc(row.periodEnd), source: enumValue('ReportSource', row.source) },
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
    description: "Report a checkpoint's counts for one interval. Safe to retry with the same idempotency key.",
    errors: { types: [ValidationError, NotFoundError, IdempotencyConflictError] },
    args: { input: t.arg({ type: ReportCheckpointCountsInput, required: true, description: 'The report.' }) },
    resolve: async (_root, { input }, ctx) => {
      const counts = Object.fromEntries(COUNTS.map((k) => [k, input[k] ?? 0])) as Counts;
      const rules = new Rules();
      checkCounts(rules, counts);
      rules.period(input.periodStart, input.periodEnd, ctx.now());
      checkIdempotencyKey(rules, input.idempotencyKey);
      rules.check();
      const source = input.source ?? 'MANUAL';
      const hash = payloadHash({ checkpointId: input.checkpointId.id, periodStart: input.periodStart, periodEnd: input.periodEnd, source, ...counts });
      return commitChange(ctx, async (tx) => {
        const checkpoint = await loadCheckpoint(tx, input.checkpointId.id, 'checkpointId');
        if (checkpoint.status === 'CLOSED' && (!checkpoint.closedAt || input.periodStart >= checkpoint.closedAt)) {
          throw new ValidationError([{ field: 'checkpointId', message: `${checkpoint.id} is closed${checkpoint.closedAt ? ` since ${checkpoint.closedAt.toISOString()}` : ''}` }]);
        }
        const { row: report, duplicate } = await insertReport(
          tx,
          { checkpointId: checkpoint.id, periodStart: input.periodStart, periodEnd: input.periodEnd, ...counts, source, reportedBy: ctx.actor, supersedesId: null, correctionReason: null },
          { idempotencyKey: input.idempotencyKey, payloadHash: hash },
        );
        return { value: { report, duplicate }, change: duplicate ? null : reportChange('checkpointReport:reported', report) };
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
    errors: { types: [ValidationError, NotFoundError, IdempotencyConflictError, InvalidStateError] },
    args: {
      reportId: t.arg.globalID({ for: CheckpointReportRef, required: true, description: 'The report version to correct.' }),
      input: t.arg({ type: CorrectCheckpointReportInput, required: true, description: 'The corrected figures.' }),
      reason: t.arg.string({ required: true, description: 'Why (kept in history; under-reporting is a disciplinary matter).' }),
      idempotencyKey: t.arg.string({ required: true, description: 'Reused on retries of this correction.' }),
    },
    resolve: async (_root, args, ctx: Context) => {
      const rules = new Rules().text('reason', args.reason, { required: true, max: 1000 });
      checkIdempotencyKey(rules, args.idempotencyKey);
      rules.check();
      return commitChange(ctx, async (tx) => {
        const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM "CheckpointReport" WHERE id = ${args.reportId.id} FOR UPDATE`;
        if (!locked) throw new NotFoundError('checkpoint report', args.reportId.id, 'reportId');
        const original = await tx.checkpointReport.findUniqueOrThrow({ where: { id: locked.id } });
        const counts = Object.fromEntries(COUNTS.map((k) => [k, args.input[k] ?? original[k]])) as Counts;
        const checks = new Rules();
        checkCounts(checks, counts);
        checks.check();
        const hash = payloadHash({ corrects: original.id, reason: args.reason.trim(), ...counts });
        const replay = await tx.checkpointReport.findUnique({ where: { idempotencyKey: args.idempotencyKey } });
        if (replay) {
          if (replay.payloadHash !== hash) throw new IdempotencyConflictError(args.idempotencyKey);
          return { value: { report: replay, duplicate: true }, change: null };
        }
        if (original.supersededAt) {
          throw new InvalidStateError('reportId', 'superseded', 'this version was already corrected; correct the latest version instead');
        }
        const superseded = await tx.checkpointReport.update({ where: { id: original.id }, data: { supersededAt: ctx.now() } });
        const { row: report } = await insertReport(
          tx,
          {
            checkpointId: original.checkpointId,
            periodStart: original.periodStart,
            periodEnd: original.periodEnd,
            ...counts,
            source: original.source,
            reportedBy: ctx.actor,
            supersedesId: original.id,
            correctionReason: args.reason.trim(),
          },
          { idempotencyKey: args.idempotencyKey, payloadHash: hash },
        );
        return { value: { report, duplicate: false }, change: reportChange('checkpointReport:corrected', report, superseded) };
      });
    },
  }),
}));
