import { Client, createRequest, makeOperation, type Operation, type OperationResult } from '@urql/core';
import { describe, expect, it } from 'vitest';
import { fromValue, map, pipe, toPromise } from 'wonka';
import { graphql } from '../graphql/graphql.ts';
import { authExchange, withAuthorization } from './auth-exchange.ts';

const Query = graphql(`
  query Probe {
    departments {
      id
    }
  }
`);

const client = new Client({ url: '/graphql', exchanges: [] });
const operation = (fetchOptions?: RequestInit | (() => RequestInit)): Operation =>
  makeOperation('query', createRequest(Query, {}), { ...client.createRequestOperation('query', createRequest(Query, {})).context, fetchOptions });

const headersOf = (op: Operation) => {
  const options = typeof op.context.fetchOptions === 'function' ? op.context.fetchOptions() : op.context.fetchOptions;
  return new Headers(options?.headers);
};

describe('authExchange', () => {
  it('adds Authorization: Bearer <token> and keeps other headers', () => {
    const op = withAuthorization(operation({ headers: { 'x-request': '1' } }), 'display-token');
    expect(headersOf(op).get('authorization')).toBe('Bearer display-token');
    expect(headersOf(op).get('x-request')).toBe('1');
  });

  it('leaves operations alone without a token', () => {
    const op = operation();
    expect(withAuthorization(op, null)).toBe(op);
  });

  it('reads the token for each operation, so a token entered later applies', async () => {
    let token: string | null = null;
    const seen: (string | null)[] = [];
    const exchange = authExchange(() => token)({
      client,
      dispatchDebug: () => {},
      forward: (ops$) =>
        pipe(
          ops$,
          map((op) => {
            seen.push(headersOf(op).get('authorization'));
            return { operation: op, data: null, stale: false, hasNext: false } as OperationResult;
          }),
        ),
    });
    await pipe(exchange(fromValue(operation())), toPromise);
    token = 'operator-token';
    await pipe(exchange(fromValue(operation())), toPromise);
    expect(seen).toEqual([null, 'Bearer operator-token']);
  });
});
