import { AsyncLocalStorage } from 'node:async_hooks';
import type { Plugin } from 'graphql-yoga';

const current = new AsyncLocalStorage<{ statements: number }>();

/** Pass to openDatabase's onStatement: counts each statement against the operation running it. */
export function countStatement(): undefined {
  const store = current.getStore();
  if (store) store.statements++;
  return undefined;
}

/** Runs `run`, then tells `done` how many SQL statements it sent (awaited when it is a promise). */
export function countStatements<T>(run: () => T, done: (statements: number) => void): T {
  const store = { statements: 0 };
  const result = current.run(store, run);
  if (result instanceof Promise) return result.finally(() => done(store.statements)) as T;
  done(store.statements);
  return result;
}

/**
 * Adds `extensions.sqlStatements` to each result: how many SQL statements the operation sent.
 * Lets tests and operators check that a page's cost does not grow with its size.
 */
export function useSqlStatementCount(): Plugin {
  return {
    onExecute({ executeFn, setExecuteFn }) {
      const store = { statements: 0 };
      setExecuteFn((args) => current.run(store, () => executeFn(args)));
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, sqlStatements: store.statements } });
        },
      };
    },
  };
}
