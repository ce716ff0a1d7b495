import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isStatementTimeout, statementTimeoutError } from './statement-timeout.ts';

describe('statement timeout', () => {
  it("recognises PostgreSQL's query_canceled however Prisma wraps it, and nothing else", () => {
    // The shape of a $queryRaw failure through @prisma/adapter-pg.
    expect(isStatementTimeout({ code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: '57014', kind: 'postgres' } } } })).toBe(true);
    expect(isStatementTimeout({ code: 'P2010', meta: { code: '57014' } })).toBe(true);
    expect(isStatementTimeout({ code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: '23505' } } } })).toBe(false);
    expect(isStatementTimeout(new Error('boom'))).toBe(false);
  });

  it('says the timeout, with a retryable 503 code', () => {
    const error = statementTimeoutError(new GraphQLError('raw', { path: ['s'] }), 1500);
    expect(error.extensions).toMatchObject({ code: 'STATEMENT_TIMEOUT', retryable: true, http: { status: 503 } });
    expect(error.message).toMatch(/after 1500 ms/);
    expect(error.path).toEqual(['s']);
  });
});
