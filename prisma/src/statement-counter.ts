import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  SqlQueryable,
  Transaction,
} from '@prisma/driver-adapter-utils';

/**
 * Told of every statement as it is sent; may return a function told when it has finished (tracing),
 * with the rows it returned (a query's result set; 0 for a statement that returns none).
 */
export type StatementListener = (sql: string) => ((error?: unknown, rows?: number) => void) | undefined;

/**
 * Wraps a driver adapter factory so every statement that reaches the database is reported,
 * including those inside transactions. Used to prove a request's SQL does not grow with page size.
 */
export function countStatements(factory: SqlDriverAdapterFactory, listener: StatementListener): SqlDriverAdapterFactory {
  return {
    adapterName: factory.adapterName,
    provider: factory.provider,
    async connect() {
      return wrapAdapter(await factory.connect(), listener);
    },
  };
}

function wrapQueryable<T extends SqlQueryable>(target: T, listener: StatementListener): T {
  return new Proxy(target, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver);
      if (key === 'queryRaw' || key === 'executeRaw') {
        return (query: SqlQuery) => {
          const done = listener(query.sql);
          const result = (value as (q: SqlQuery) => Promise<unknown>).call(object, query);
          if (!done) return result;
          return result.then(
            (answer) => {
              done(undefined, rowsOf(answer));
              return answer;
            },
            (error: unknown) => {
              done(error);
              throw error;
            },
          );
        };
      }
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

function rowsOf(answer: unknown): number {
  const rows = (answer as { rows?: unknown } | null)?.rows;
  return Array.isArray(rows) ? rows.length : 0;
}

function wrapAdapter(adapter: SqlDriverAdapter, listener: StatementListener): SqlDriverAdapter {
  const wrapped = wrapQueryable(adapter, listener);
  return new Proxy(wrapped, {
    get(object, key, receiver) {
      if (key === 'startTransaction') {
        return async (isolationLevel?: Parameters<SqlDriverAdapter['startTransaction']>[0]) => {
          const transaction: Transaction = await adapter.startTransaction(isolationLevel);
          return wrapQueryable(transaction, listener);
        };
      }
      return Reflect.get(object, key, receiver);
    },
  });
}
