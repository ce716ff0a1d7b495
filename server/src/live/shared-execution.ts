import { createSourceEventStream, type ExecutionArgs, type ExecutionResult, execute, print } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { accessKey, stable } from '../auth/access-key.ts';
import type { ServerContext } from '../plugins/guard.ts';

/**
 * One execution per update for every subscriber of the same subscription.
 *
 * Live values are computed once per key and handed to every subscriber as the same object
 * (live-feed.ts); recent outbox events are shared objects too (outbox-follower.ts). What used to
 * happen per subscriber is the GraphQL execution of the operation's selection over that value —
 * resolvers, reference rows such as `checkpoint { name }`, result building — and then its
 * serialisation. Here the source stream stays per subscriber (cheap: it holds a reference to the
 * shared value), and each of its values is executed once per *sharing key*: the operation, its
 * variables and everything about the caller that can change what it may see (role, scope, the
 * compounds a health official's areas expand to). Whoever of the group asks first executes; the
 * others receive the same result object, which every transport can then serialise once
 * (`serialisedOnce`).
 *
 * Results are remembered per value in a WeakMap: once a newer value replaces it in the live feed,
 * the value and its result are garbage; nothing is retained per event or per subscriber.
 */
export interface SharedExecutionOptions {
  /** Runs each execution of a live value (not once per subscriber it serves); tracing wraps it to count and log its SQL statements. */
  around?: <T>(operation: string, run: () => T) => T;
}

interface Group {
  key: string;
  /** Subscriptions currently holding this group. */
  holders: number;
  results: WeakMap<object, Promise<ExecutionResult> | ExecutionResult>;
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';

/** Everything that decides what a subscriber receives, as one string. */
export function sharingKey(args: ExecutionArgs): string {
  const viewer = (args.contextValue as ServerContext | undefined)?.viewer;
  const who = viewer ? accessKey(viewer) : null;
  return JSON.stringify([print(args.document), args.operationName ?? null, stable(args.variableValues ?? {}), who]);
}

export function useSharedExecution(options: SharedExecutionOptions = {}): Plugin {
  const groups = new Map<string, Group>();
  const around = options.around ?? ((_operation, run) => run());

  const run = (args: ExecutionArgs, payload: unknown) => {
    const result = around(args.operationName ?? 'anonymous', () => execute({ ...args, rootValue: payload }));
    return result instanceof Promise ? result.then(stringifiedOnce) : stringifiedOnce(result);
  };

  async function sharedSubscribe(args: ExecutionArgs) {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const key = sharingKey(args);
    let group = groups.get(key);
    if (!group) {
      group = { key, holders: 0, results: new WeakMap() };
      groups.set(key, group);
    }
    group.holders++;
    return new SharedResults(source[Symbol.asyncIterator](), args, group, groups, run);
  }

  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(sharedSubscribe as never);
    },
  };
}

/**
 * One subscriber's results: its source's values, each executed once for its whole group. A class, so
 * an idle subscriber holds one object rather than a closure per method and per helper.
 */
class SharedResults implements AsyncIterableIterator<ExecutionResult> {
  private released = false;

  constructor(
    private readonly iterator: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly group: Group,
    private readonly groups: Map<string, Group>,
    private readonly run: (args: ExecutionArgs, payload: unknown) => Promise<ExecutionResult> | ExecutionResult,
  ) {}

  async next(): Promise<IteratorResult<ExecutionResult>> {
    try {
      const step = await this.iterator.next();
      if (step.done) {
        this.release();
        return step;
      }
      return { value: await this.executeOnce(step.value), done: false };
    } catch (error) {
      this.release();
      throw error;
    }
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    this.release();
    await this.iterator.return?.();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.release();
    if (this.iterator.throw) await this.iterator.throw(error);
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private executeOnce(payload: unknown): Promise<ExecutionResult> | ExecutionResult {
    if (payload === null || typeof payload !== 'object') return this.run(this.args, payload);
    let result = this.group.results.get(payload);
    if (!result) {
      result = this.run(this.args, payload);
      this.group.results.set(payload, result);
    }
    return result;
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    if (--this.group.holders === 0 && this.groups.get(this.group.key) === this.group) this.groups.delete(this.group.key);
  }
}

/** The JSON of a result, computed once however many subscribers it goes to. */
const texts = new WeakMap<object, string>();
const buffers = new WeakMap<object, Buffer>();

export function serialisedText(result: object): string {
  let text = texts.get(result);
  if (text === undefined) {
    text = JSON.stringify(result);
    texts.set(result, text);
  }
  return text;
}

export function serialisedOnce(result: object): Buffer {
  let buffer = buffers.get(result);
  if (!buffer) {
    buffer = Buffer.from(serialisedText(result));
    buffers.set(result, buffer);
  }
  return buffer;
}

/**
 * Yoga's SSE writes each result with its `stringify` when it has one (its hook for custom
 * serialisers): a shared result answers with its one serialisation. Yoga hands it a copy instead
 * when it takes internals off errors; a copy is serialised as usual.
 */
function stringifiedOnce(result: ExecutionResult): ExecutionResult {
  Object.defineProperty(result, 'stringify', { value: (value: unknown) => (value === result ? serialisedText(result) : JSON.stringify(value)), enumerable: false });
  return result;
}
