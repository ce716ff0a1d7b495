import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { tokenFor } from './server.ts';

/** A graphql-ws client on the server's /graphql, as a wall display would open it. */
export function wsClient(httpUrl: string, options: { retry?: boolean; token?: string | null } = {}): Client {
  const token = options.token === undefined ? tokenFor(httpUrl) : options.token;
  return createClient({
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    url: `${httpUrl.replace(/^http/, 'ws').replace(/\/graphql$/, '')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: options.retry ? Infinity : 0,
    retryWait: async () => new Promise((resolve) => setTimeout(resolve, 200)),
    shouldRetry: () => !!options.retry,
  });
}

/** A subscription whose results are collected; `next(n)` waits for the n-th result. */
export interface Collected<T> {
  values: T[];
  errors: unknown[];
  /** Resolves when at least `count` values arrived (or rejects after the timeout). */
  until(count: number, timeoutMs?: number): Promise<T[]>;
  /** Resolves when a value satisfies the predicate. */
  waitFor(predicate: (value: T) => boolean, timeoutMs?: number): Promise<T>;
  dispose(): void;
  completed: Promise<void>;
}

export function collect<T = any>(client: Client, query: string, variables?: Record<string, unknown>, pick: (data: any) => T = (d) => d): Collected<T> {
  const values: T[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  let resolveCompleted!: () => void;
  const completed = new Promise<void>((r) => (resolveCompleted = r));
  const dispose = client.subscribe<any>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(result.errors);
        if (result.data) values.push(pick(result.data));
        for (const wake of waiters) wake();
      },
      error: (error) => {
        errors.push(error);
        for (const wake of waiters) wake();
        resolveCompleted();
      },
      complete: () => resolveCompleted(),
    },
  );
  const waitFor = (predicate: (value: T) => boolean, timeoutMs = 15_000) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const hit = values.find(predicate);
        if (hit !== undefined) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms; got ${values.length} values, errors ${JSON.stringify(errors)}; last ${JSON.stringify(values.at(-1))}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return {
    values,
    errors,
    until: (count, timeoutMs) => waitFor(() => values.length >= count, timeoutMs).then(() => values),
    waitFor,
    dispose,
    completed,
  };
}
