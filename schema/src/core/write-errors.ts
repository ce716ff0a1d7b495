import { encodeGlobalID } from '@pothos/plugin-relay';
import { ErrorCode, FIELD_RULE_MEANINGS, type FieldIssue, FieldRule } from '@fangkong/zone';
import { builder } from './builder.ts';

/** Base of every expected write failure: a message for people and a code for programs. */
export abstract class WriteError extends Error {
  abstract readonly code: string;
}

export type { FieldIssue };

/** Input broke a rule; nothing was written. Lists every offending field. */
export class ValidationError extends WriteError {
  readonly code = ErrorCode.ValidationFailed;
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '));
  }
}

/** The thing to act on does not exist (or is not visible to the caller). */
export class NotFoundError extends WriteError {
  readonly code = ErrorCode.NotFound;
  constructor(
    readonly entity: string,
    readonly id: string,
    readonly field: string,
  ) {
    super(`${field}: no ${entity} with id ${id}`);
  }
}

/** The idempotency key was already used for a different payload. */
export class IdempotencyConflictError extends WriteError {
  readonly code = ErrorCode.IdempotencyConflict;
  constructor(readonly idempotencyKey: string) {
    super(`idempotencyKey: "${idempotencyKey}" was already used for a different submission; use a new key for new data`);
  }
}

/** A status change not allowed from the current status, or a change to a version already replaced. */
export class InvalidStateError extends WriteError {
  readonly code = ErrorCode.InvalidState;
  constructor(
    readonly field: string,
    readonly current: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

/** The report version a new report's period overlaps, and the mutation that changes its figures. */
export interface OverlappedReport {
  /** The GraphQL type: "CheckpointReport" or "OutputReport". */
  type: 'CheckpointReport' | 'OutputReport';
  id: string;
  periodStart: Date;
  periodEnd: Date;
  correctWith: 'correctCheckpointReport' | 'correctOutputReport';
}

/** The period overlaps a current report of the same checkpoint or line (the database's exclusion constraint said so). */
export class OverlappingReportError extends WriteError {
  readonly code = ErrorCode.OverlappingReport;
  readonly existingReportId: string;
  constructor(readonly existing: OverlappedReport) {
    const id = encodeGlobalID(existing.type, existing.id);
    super(
      `periodStart: this period overlaps report ${id} of ${existing.periodStart.toISOString()}–${existing.periodEnd.toISOString()}, ` +
        `already counted; to change its figures, correct that report (${existing.correctWith}) instead of reporting again`,
    );
    this.existingReportId = id;
  }
}

/** A report or correction of a day whose figures were approved for the site's area (or an area above it). */
export class DayLockedError extends WriteError {
  readonly code = ErrorCode.DayLocked;
  constructor(
    readonly areaId: string,
    readonly day: string,
    readonly version: number,
  ) {
    super(`periodStart: the figures of ${day} for area ${areaId} were approved (version ${version}) and are locked; a commander reopens the day (reopenDay) before they can change`);
  }
}

/** The database's refusal of a report in an approved day (SQLSTATE FKDLK, migration day_approval) as a DayLockedError; null for any other error. */
export function dayLockedFrom(error: unknown): DayLockedError | null {
  const cause = (error as { meta?: { driverAdapterError?: { cause?: { code?: string; originalCode?: string; message?: string; detail?: string } } } } | null)?.meta?.driverAdapterError?.cause;
  if (!cause || (cause.code !== 'FKDLK' && cause.originalCode !== 'FKDLK' && !cause.message?.includes('day approved and locked'))) return null;
  try {
    const detail = JSON.parse(cause.detail ?? '{}') as { areaId?: string; day?: string; version?: number };
    return new DayLockedError(detail.areaId ?? '?', detail.day ?? '?', Number(detail.version ?? 0));
  } catch {
    return new DayLockedError('?', '?', 0);
  }
}

/** Allocating more than the stock holds. */
export class InsufficientStockError extends WriteError {
  readonly code = ErrorCode.InsufficientStock;
  constructor(
    readonly productId: string,
    readonly available: number,
    readonly requested: number,
  ) {
    super(`quantity: only ${available} in stock of ${productId}; ${requested} requested`);
  }
}

export const ErrorInterface = builder.interfaceRef<WriteError>('Error').implement({
  description: 'An expected failure of a write. Nothing was written.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, naming the field and the reason.' }),
    code: t.exposeString('code', { description: 'A stable code to switch on.' }),
  }),
});

const FieldRuleRef = builder.enumType('FieldRule', {
  description: 'The rule a field broke, to word the issue from in any language; OTHER: read `message`.',
  values: Object.fromEntries(Object.values(FieldRule).map((rule) => [rule, { value: rule, description: FIELD_RULE_MEANINGS[rule] }])) as Record<FieldRule, { value: FieldRule; description: string }>,
});

const FieldIssueRef = builder.objectRef<FieldIssue>('FieldIssue').implement({
  description: 'One field that broke a rule.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field, e.g. "feverCases".' }),
    message: t.exposeString('message', { description: 'The rule it broke, in English.' }),
    rule: t.field({ type: FieldRuleRef, description: 'The rule it broke, as a code.', resolve: (issue) => issue.rule ?? FieldRule.Other }),
    limit: t.float({ nullable: true, description: 'The bound the rule sets (a maximum, the figure it may not exceed, a number of hours, a year).', resolve: (issue) => issue.limit }),
    actual: t.float({ nullable: true, description: 'The value sent, where the rule compares it.', resolve: (issue) => issue.actual }),
    relatedField: t.string({ nullable: true, description: 'The other input field the rule compares with.', resolve: (issue) => issue.relatedField }),
    at: t.field({ type: 'DateTime', nullable: true, description: 'The instant the rule refers to (a period\'s start, the server\'s now, a closing time).', resolve: (issue) => (issue.at ? new Date(issue.at) : null) }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'Input broke one or more rules; every offending field is listed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ issues: t.field({ type: [FieldIssueRef], description: 'Each offending field.', resolve: (e) => e.issues }) }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'The object to act on does not exist.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    entity: t.exposeString('entity', { description: 'What was looked for.' }),
    field: t.exposeString('field', { description: 'The input field that named it.' }),
  }),
});

builder.objectType(IdempotencyConflictError, {
  name: 'IdempotencyConflictError',
  description: 'The idempotency key was used before with a different payload.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ idempotencyKey: t.exposeString('idempotencyKey', { description: 'The reused key.' }) }),
});

builder.objectType(InvalidStateError, {
  name: 'InvalidStateError',
  description: 'The change is not allowed from the current state.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field concerned.' }),
    current: t.exposeString('current', { description: 'The current state.' }),
  }),
});

builder.objectType(OverlappingReportError, {
  name: 'OverlappingReportError',
  description: 'The period overlaps a report already counted for the same checkpoint or line. Nothing was written; correct that report instead.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    existingReportId: t.exposeID('existingReportId', { description: 'Global ID of the current report version the period overlaps.' }),
    existingPeriodStart: t.field({ type: 'DateTime', description: "Start of that report's period.", resolve: (e) => e.existing.periodStart }),
    existingPeriodEnd: t.field({ type: 'DateTime', description: "End of that report's period.", resolve: (e) => e.existing.periodEnd }),
    correctWith: t.string({ description: 'The mutation that corrects that report (correctCheckpointReport or correctOutputReport).', resolve: (e) => e.existing.correctWith }),
  }),
});

builder.objectType(DayLockedError, {
  name: 'DayLockedError',
  description: "The period starts in a day whose figures were approved for the site's area; nothing was written. Reopen the day first (reopenDay).",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    areaSlug: t.exposeString('areaId', { description: 'The approved area (the site is in it or below it).' }),
    day: t.exposeString('day', { description: 'The approved local day.' }),
    version: t.exposeInt('version', { description: 'The approved version standing.' }),
  }),
});

builder.objectType(InsufficientStockError, {
  name: 'InsufficientStockError',
  description: 'Not enough stock for the allocation.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    available: t.exposeInt('available', { description: 'Units in stock.' }),
    requested: t.exposeInt('requested', { description: 'Units requested.' }),
  }),
});

/** The row, or a NotFoundError naming the input field that pointed at it. */
export function found<T>(row: T | null | undefined, entity: string, id: string, field: string): T {
  if (row === null || row === undefined) throw new NotFoundError(entity, id, field);
  return row;
}
