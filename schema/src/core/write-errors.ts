import { ErrorCode } from '@fangkong/zone';
import { builder } from './builder.ts';

/** Base of every expected write failure: a message for people and a code for programs. */
export abstract class WriteError extends Error {
  abstract readonly code: string;
}

export interface FieldIssue {
  field: string;
  message: string;
}

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

const FieldIssueRef = builder.objectRef<FieldIssue>('FieldIssue').implement({
  description: 'One field that broke a rule.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field, e.g. "feverCases".' }),
    message: t.exposeString('message', { description: 'The rule it broke.' }),
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
