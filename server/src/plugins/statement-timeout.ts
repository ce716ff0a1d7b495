import { ErrorCode } from '@fangkong/zone';
import { GraphQLError } from 'graphql';

/** PostgreSQL's SQLSTATE for a statement cancelled by `statement_timeout` (query_canceled). */
const QUERY_CANCELED = '57014';

/** Whether an error from Prisma (a driver adapter error, however deeply wrapped) is a statement timeout. */
export function isStatementTimeout(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== 'object' || depth > 5) return false;
  const e = error as { code?: unknown; originalCode?: unknown; meta?: unknown; cause?: unknown; driverAdapterError?: unknown };
  if (e.code === QUERY_CANCELED || e.originalCode === QUERY_CANCELED) return true;
  return [e.meta, e.cause, e.driverAdapterError].some((inner) => isStatementTimeout(inner, depth + 1));
}

/** What the client is told: 503 STATEMENT_TIMEOUT, retryable, instead of "Unexpected error." */
export function statementTimeoutError(error: GraphQLError, timeoutMs: number): GraphQLError {
  return new GraphQLError(
    `the database stopped this read after ${timeoutMs} ms (the statement timeout); retry in a moment, or ask for less: a shorter range, fewer series`,
    { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: { code: ErrorCode.StatementTimeout, retryable: true, http: { status: 503 } } },
  );
}
