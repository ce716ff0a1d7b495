import { AsyncLocalStorage } from 'node:async_hooks';
import type { Plugin } from 'graphql-yoga';

/** What an operation sent to the database: statements, and rows they returned. */
interface Tally {
  statements: number;
  rows: number;
}

const current = new AsyncLocalStorage<Tally>();

/**
 * Pass to openDatabase's onStatement: counts each statement, and the rows it returns, against the
 * operation running it.
 */
export function countStatement(): ((error?: unknown, rows?: number) => void) | undefined {
  const store = current.getStore();
  if (!store) return undefined;
  store.statements++;
  return (_error, rows = 0) => {
    store.rows += rows;
  };
}

/** Runs `run`, then tells `done` how many SQL statements it sent (awaited when it is a promise). */
export function countStatements<T>(run: () => T, done: (statements: number) => void): T {
  const store: Tally = { statements: 0, rows: 0 };
  const result = current.run(store, run);
  if (result instanceof Promise) return result.finally(() => done(store.statements)) as T;
  done(store.statements);
  return result;
}

/**
 * Adds `extensions.sqlStatements` and `extensions.sqlRows` to each result: how many SQL statements
 * the operation sent and how many rows they returned. Lets tests and operators check that a page's
 * cost grows neither with its size nor with the history stored behind it.
 */
export function useSqlStatementCount(): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      const store: Tally = { statements: 0, rows: 0 };
      setExecuteFn((args) => current.run(store, () => executeFn(args)));
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, sqlStatements: store.statements, sqlRows: store.rows } });
        },
      };
    },
  };
}
