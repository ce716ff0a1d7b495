import { randomUUID } from 'node:crypto';
import { type OutputReport, Prisma, type ProductionLine } from '@fangkong/prisma';
import { type FieldIssue, FieldRule, OUTPUT_CAPACITY_TOLERANCE, OUTPUT_FIGURES } from '@fangkong/zone';
import { builder } from '../core/builder.ts';
import { type Change, commitChange, type Tx } from '../core/changes.ts';
import { enumValue, insertIdempotent, type Submission, submission } from '../core/idempotency.ts';
import { checkCorrection, CORRECTION_ERRORS, correctionColumns, correctReport, overlappingCurrent, refusingOverlaps, replayOf, ReportSource } from '../core/reports.ts';
import { insertReportAtOnce } from '../core/report-insert.ts';
import { checkIdempotencyKey, Rules } from '../core/rules.ts';
import { instant } from '../core/sql.ts';
import { lockRow } from '../core/writes.ts';
import { DayLockedError, IdempotencyConflictError, InvalidStateError, NotFoundError, OverlappingReportError, ValidationError } from '../core/write-errors.ts';
import { LineStatus, OutputReportRef, ProductionLineRef } from './production.ts';
import type { EventTypeName } from '../core/event-types.ts';

type Status = ProductionLine['status'];

/** installing → commissioning → producing ⇄ idle; any working state may halt; a halted line restarts by commissioning. */
export const LINE_TRANSITIONS: Record<Status, Status[]> = {
  INSTALLING: ['COMMISSIONING', 'HALTED'],
  COMMISSIONING: ['PRODUCING', 'INSTALLING', 'HALTED'],
  PRODUCING: ['IDLE', 'HALTED'],
  IDLE: ['PRODUCING', 'HALTED'],
  HALTED: ['COMMISSIONING'],
};

/** Lines that may report output: test batches while commissioning, real output while producing. */
const REPORTING_STATUSES: Status[] = ['COMMISSIONING', 'PRODUCING', 'IDLE'];

const capacityIssue = (produced: number, hours: number, ceiling: number): [string, Omit<FieldIssue, 'field' | 'message'>] => [
  `${produced} exceeds twice the rated capacity for ${hours.toFixed(1)} h (${ceiling}); check the figure`,
  { rule: FieldRule.OverCapacity, limit: ceiling, actual: produced },
];

function checkOutput(rules: Rules, produced: number, passedQc: number, line: ProductionLine | null, hours: number): void {
  rules.figures(OUTPUT_FIGURES, { produced, passedQc });
  if (line && line.ratedDailyCapacity > 0) {
    const ceiling = Math.ceil(line.ratedDailyCapacity * OUTPUT_CAPACITY_TOLERANCE * (hours / 24));
    if (produced > ceiling) rules.fail('produced', ...capacityIssue(produced, hours, ceiling));
  }
}

/** The same rule in SQL, for the one-statement report: the same IEEE double operations in the same order as checkOutput. */
const capacityCeiling = (hours: number) => Prisma.sql`ceil("ratedDailyCapacity"::float8 * ${OUTPUT_CAPACITY_TOLERANCE}::float8 * (${hours}::float8 / 24))`;

const ReportProductionOutputInput = builder.inputType('ReportProductionOutputInput', {
  description: 'Output one line made in one interval.',
  fields: (t) => ({
    lineId: t.globalID({ for: ProductionLineRef, required: true, description: 'The reporting line.' }),
    periodStart: t.field({ type: 'DateTime', required: true, description: 'Start of the interval.' }),
    periodEnd: t.field({ type: 'DateTime', required: true, description: 'End of the interval: after the start, at most 24 h later, not in the future.' }),
    produced: t.int({ required: true, description: 'Units produced.' }),
    passedQc: t.int({ required: true, description: 'Units that passed quality control; at most produced.' }),
    source: t.field({ type: ReportSource, required: false, defaultValue: 'MANUAL', description: 'Manual entry or simulator.' }),
    idempotencyKey: t.string({ required: true, description: 'Chosen once per report, reused on every retry.' }),
  }),
});

const OutputReportPayload = builder.objectRef<{ report: OutputReport; duplicate: boolean }>('OutputReportPayload').implement({
  description: 'The stored output report.',
  fields: (t) => ({
    report: t.field({ type: OutputReportRef, description: 'The report as stored.', resolve: (p) => p.report }),
    duplicate: t.exposeBoolean('duplicate', { description: 'True when this was a retry: nothing new was written.' }),
  }),
});

const LineStatusPayload = builder.objectRef<{ line: ProductionLine }>('LineStatusPayload').implement({
  description: 'The line after its status change.',
  fields: (t) => ({ line: t.field({ type: ProductionLineRef, description: 'The line.', resolve: (p) => p.line }) }),
});

type NewOutput = Omit<OutputReport, 'id' | 'createdAt' | 'supersededAt' | 'idempotencyKey' | 'payloadHash'>;

/** An output report's columns as the inserts write them (instants and the enum cast for raw SQL). */
const outputColumns = ({ idempotencyKey: _key, payloadHash: _hash, supersededAt: _superseded, ...row }: NewOutput & Partial<Omit<OutputReport, 'createdAt'>>) => ({
  ...row,
  periodStart: instant(row.periodStart),
  periodEnd: instant(row.periodEnd),
  source: enumValue('ReportSource', row.source),
});

function insertOutput(tx: Tx, row: NewOutput, key: Submission) {
  return insertIdempotent<OutputReport>(
    tx,
    'OutputReport',
    outputColumns(row),
    key,
    {
      byId: (id) => tx.outputReport.findUniqueOrThrow({ where: { id } }),
      byKey: (idempotencyKey) => tx.outputReport.findUniqueOrThrow({ where: { idempotencyKey } }),
    },
  );
}

/** The change of a report; without the line (null), its enterprise and product are added to the payload in SQL. */
function outputChange(type: EventTypeName, report: OutputReport, line: ProductionLine | null, before?: OutputReport): Change {
  return {
    type,
    entityType: 'OutputReport',
    entityId: report.id,
    before,
    after: report,
    payload: {
      lineId: report.lineId,
      ...(line ? { enterpriseId: line.enterpriseId, productId: line.productId } : {}),
      periodStart: report.periodStart,
      produced: report.produced,
      passedQc: report.passedQc,
      source: report.source,
      ...(before ? { supersedes: before.id } : {}),
    },
  };
}

const hoursOf = (start: Date, end: Date) => (end.getTime() - start.getTime()) / 3_600_000;

builder.mutationFields((t) => ({
  reportProductionOutput: t.field({
    authScopes: (_root, args) => ({ operates: args.input.lineId.id }),
    type: OutputReportPayload,
    description:
      "Report a line's output for one interval. Safe to retry with the same idempotency key. A period that overlaps a report already counted for the line is refused: correct that report instead.",
    errors: { types: [ValidationError, NotFoundError, IdempotencyConflictError, InvalidStateError, OverlappingReportError, DayLockedError] },
    args: { input: t.arg({ type: ReportProductionOutputInput, required: true, description: 'The report.' }) },
    resolve: async (_root, { input }, ctx) => {
      const rules = new Rules();
      checkOutput(rules, input.produced, input.passedQc, null, hoursOf(input.periodStart, input.periodEnd));
      rules.period(input.periodStart, input.periodEnd, ctx.now());
      checkIdempotencyKey(rules, input.idempotencyKey);
      rules.check();
      const source = input.source ?? 'MANUAL';
      const key = submission(input.idempotencyKey, { lineId: input.lineId.id, periodStart: input.periodStart, periodEnd: input.periodEnd, produced: input.produced, passedQc: input.passedQc, source });
      const hours = hoursOf(input.periodStart, input.periodEnd);
      // One statement writes the report, its audit entry and its event (core/report-insert.ts).
      const write = async (): Promise<{ report: OutputReport; duplicate: boolean }> => {
        const report: Omit<OutputReport, 'createdAt'> = {
          id: randomUUID(),
          lineId: input.lineId.id,
          periodStart: input.periodStart,
          periodEnd: input.periodEnd,
          produced: input.produced,
          passedQc: input.passedQc,
          source,
          reportedBy: ctx.actor,
          idempotencyKey: key.idempotencyKey,
          payloadHash: key.payloadHash,
          supersedesId: null,
          supersededAt: null,
          correctionReason: null,
          predatesOverlapRule: false,
        };
        const reporting = Prisma.join(REPORTING_STATUSES.map((status) => Prisma.sql`${status}`));
        const { target: line, inserted } = await insertReportAtOnce<{ status: Status; ceiling: number; capacityOk: boolean; statusOk: boolean }>(ctx, {
          table: 'OutputReport',
          columns: outputColumns(report),
          key,
          // Within twice the rated capacity for the period, and in a status that reports output.
          target: Prisma.sql`
            SELECT *, "capacityOk" AND "statusOk" AS admit FROM (
              SELECT status::text AS status, ${capacityCeiling(hours)} AS ceiling,
                     ("ratedDailyCapacity" <= 0 OR ${input.produced}::integer <= ${capacityCeiling(hours)}) AS "capacityOk",
                     status::text IN (${reporting}) AS "statusOk",
                     jsonb_build_object('enterpriseId', "enterpriseId", 'productId', "productId") AS extra
              FROM "ProductionLine" WHERE id = ${input.lineId.id}) AS line`,
          change: outputChange('outputReport:reported', report as OutputReport, null),
        });
        if (!line) throw new NotFoundError('production line', input.lineId.id, 'lineId');
        if (!line.capacityOk) new Rules().fail('produced', ...capacityIssue(input.produced, hours, line.ceiling)).check();
        if (inserted) return { report: { ...report, createdAt: inserted.createdAt }, duplicate: false };
        // The key is taken (a retry, or a reuse with another payload: the same answers as before the
        // status is looked at), or the line is in no reporting status.
        const replay = replayOf(await ctx.prisma.outputReport.findUnique({ where: { idempotencyKey: key.idempotencyKey } }), key);
        if (replay) return replay;
        if (!line.statusOk) {
          throw new InvalidStateError('lineId', line.status, `the line is ${line.status.toLowerCase()}; output can be reported while commissioning, producing or idle`);
        }
        throw new Error(`output report under key ${key.idempotencyKey} was neither stored nor found`);
      };
      return refusingOverlaps('OutputReport', write, {
        replay: async () => replayOf(await ctx.prisma.outputReport.findUnique({ where: { idempotencyKey: key.idempotencyKey } }), key),
        overlapped: () =>
          ctx.prisma.outputReport.findFirst({
            where: { lineId: input.lineId.id, ...overlappingCurrent(input.periodStart, input.periodEnd) },
            orderBy: { periodStart: 'asc' },
            select: { id: true, periodStart: true, periodEnd: true },
          }),
      });
    },
  }),
  correctOutputReport: t.field({
    authScopes: async (_root, args, ctx) => ({
      operates: (await ctx.prisma.outputReport.findUnique({ where: { id: args.reportId.id }, select: { lineId: true } }))?.lineId ?? '',
      command: true,
    }),
    type: OutputReportPayload,
    description: 'Correct an output report: the correction replaces it in every total; the original stays in history.',
    errors: { types: CORRECTION_ERRORS },
    args: {
      reportId: t.arg.globalID({ for: OutputReportRef, required: true, description: 'The report version to correct.' }),
      produced: t.arg.int({ required: true, description: 'Corrected units produced.' }),
      passedQc: t.arg.int({ required: true, description: 'Corrected units that passed QC.' }),
      reason: t.arg.string({ required: true, description: 'Why (kept in history).' }),
      idempotencyKey: t.arg.string({ required: true, description: 'Reused on retries of this correction.' }),
    },
    resolve: async (_root, args, ctx) => {
      checkCorrection(args);
      return commitChange(ctx, async (tx) => {
        const id = await lockRow(tx, 'OutputReport', args.reportId.id, { entity: 'output report', field: 'reportId' });
        const { line, ...original } = await tx.outputReport.findUniqueOrThrow({ where: { id }, include: { line: true } });
        const checks = new Rules();
        checkOutput(checks, args.produced, args.passedQc, line, hoursOf(original.periodStart, original.periodEnd));
        checks.check();
        const key = submission(args.idempotencyKey, { corrects: original.id, produced: args.produced, passedQc: args.passedQc, reason: args.reason.trim() });
        const result = await correctReport(ctx, original, key, {
          byKey: (idempotencyKey) => tx.outputReport.findUnique({ where: { idempotencyKey } }),
          markSuperseded: (supersededId, at) => tx.outputReport.update({ where: { id: supersededId }, data: { supersededAt: at } }),
          insertCorrection: async () =>
            (
              await insertOutput(
                tx,
                { lineId: original.lineId, produced: args.produced, passedQc: args.passedQc, ...correctionColumns(original, ctx, args.reason) },
                key,
              )
            ).row,
        });
        if (result.duplicate) return { value: result, change: null };
        return { value: { report: result.report, duplicate: false }, change: outputChange('outputReport:corrected', result.report, line, result.superseded) };
      });
    },
  }),
  setProductionLineStatus: t.field({
    authScopes: (_root, args) => ({ operates: args.lineId.id, command: true }),
    type: LineStatusPayload,
    description: 'Move a line along its statuses: installing → commissioning → producing ⇄ idle; halted; restart via commissioning.',
    errors: { types: [ValidationError, NotFoundError, InvalidStateError] },
    args: {
      lineId: t.arg.globalID({ for: ProductionLineRef, required: true, description: 'The line.' }),
      status: t.arg({ type: LineStatus, required: true, description: 'The new status.' }),
      note: t.arg.string({ required: false, description: 'Why (e.g. "waiting for melt-blown fabric").' }),
    },
    resolve: async (_root, args, ctx) => {
      new Rules().text('note', args.note, { max: 1000 }).check();
      return commitChange(ctx, async (tx) => {
        const id = await lockRow(tx, 'ProductionLine', args.lineId.id, { entity: 'production line', field: 'lineId' });
        const before = await tx.productionLine.findUniqueOrThrow({ where: { id } });
        if (!LINE_TRANSITIONS[before.status].includes(args.status)) {
          throw new InvalidStateError(
            'status',
            before.status,
            `a ${before.status.toLowerCase()} line can move to ${LINE_TRANSITIONS[before.status].map((s) => s.toLowerCase()).join(' or ')}, not ${args.status.toLowerCase()}`,
          );
        }
        const at = ctx.now();
        const line = await tx.productionLine.update({ where: { id: before.id }, data: { status: args.status, statusChangedAt: at } });
        await tx.lineStatusChange.create({ data: { lineId: line.id, from: before.status, to: args.status, at, note: args.note?.trim() || null, changedBy: ctx.actor } });
        return {
          value: { line },
          change: {
            type: 'productionLine:statusChanged',
            entityType: 'ProductionLine',
            entityId: line.id,
            before,
            after: line,
            payload: { lineId: line.id, enterpriseId: line.enterpriseId, from: before.status, to: line.status },
          },
        };
      });
    },
  }),
}));
