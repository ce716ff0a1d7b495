import { makeOperation, type Exchange, type Operation } from '@urql/core';
import { map, pipe } from 'wonka';
import { bearer } from '../auth/token.ts';

/**
 * Adds `Authorization: Bearer <token>` to every HTTP operation. The token is read per operation, so
 * a token entered later (the report page) applies from the next request on. WebSocket operations
 * carry it in connection_init instead (see live/connection.ts).
 */
export const authExchange =
  (getToken: () => string | null): Exchange =>
  ({ forward }) =>
  (operations$) =>
    forward(pipe(operations$, map((operation) => withAuthorization(operation, getToken()))));

export function withAuthorization(operation: Operation, token: string | null): Operation {
  if (!token || operation.kind === 'teardown') return operation;
  const fetchOptions =
    typeof operation.context.fetchOptions === 'function' ? operation.context.fetchOptions() : (operation.context.fetchOptions ?? {});
  const headers = new Headers(fetchOptions.headers);
  headers.set('authorization', bearer(token));
  return makeOperation(operation.kind, operation, {
    ...operation.context,
    fetchOptions: { ...fetchOptions, headers: Object.fromEntries(headers) },
  });
}
