import { ErrorCode } from '@fangkong/zone';
import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TokenWatch } from '../auth/token-watch.ts';
import type { TokenEnd } from '../auth/tokens.ts';
import type { ServerContext } from './guard.ts';
import { Stream } from '../live/stream.ts';

const isAsyncIterable = (value: unknown): value is AsyncIterable<ExecutionResult> => typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';

/** The last result of a stream whose token stopped working: it says why, with the code to switch on. */
export const accessEnded = (why: TokenEnd): ExecutionResult => ({
  errors: [
    new GraphQLError(why === 'revoked' ? 'the token was revoked: this stream has ended' : 'the token expired: this stream has ended', {
      extensions: { code: ErrorCode.Unauthenticated },
    }),
  ],
});

/**
 * The results of `source` until the token stops working, then one result saying so, then the end.
 * A consumer that leaves (a closed SSE response) returns the source at once, even while it waits for
 * its next value. One small object per subscription (a Repeater here held ~2 KiB of promises and
 * closures per idle subscriber); the watch is taken at the first `next()`, as a Repeater would.
 */
export class UntilTokenEnds extends Stream<ExecutionResult> {
  private readonly iterator: AsyncIterator<ExecutionResult>;
  private unwatch: (() => void) | undefined;
  /** The consumers' pending next() calls (one, with `for await`). */
  private waiting: ((step: IteratorResult<ExecutionResult>) => void)[] = [];
  /** The token's end, said by the next next() when nobody was waiting. */
  private last: ExecutionResult | undefined;
  private finished = false;

  constructor(
    source: AsyncIterable<ExecutionResult>,
    private readonly tokenId: string,
    private readonly watch: TokenWatch,
  ) {
    super();
    this.iterator = source[Symbol.asyncIterator]();
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.last) {
      const value = this.last;
      this.last = undefined;
      return Promise.resolve({ value, done: false });
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    this.unwatch ??= this.watch.watch(this.tokenId, (why) => this.end(accessEnded(why)));
    return new Promise((resolve, reject) => {
      this.waiting.push(resolve);
      this.iterator.next().then(
        (step) => {
          // Answered already: the token ended meanwhile and its last result went out instead.
          if (!this.settle(resolve)) return;
          if (step.done) this.finish();
          resolve(step);
        },
        (error: unknown) => {
          if (!this.settle(resolve)) return;
          this.finish();
          reject(error);
        },
      );
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.finish();
    this.last = undefined;
    for (const waiting of this.waiting.splice(0)) waiting({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  /** The token stopped working: its result goes to whoever waits (or to the next next()), then the end. */
  private end(last: ExecutionResult): void {
    if (this.finished) return;
    this.finish();
    const waiting = this.waiting.shift();
    if (waiting) waiting({ value: last, done: false });
    else this.last = last;
    for (const other of this.waiting.splice(0)) other({ value: undefined, done: true });
  }

  /** Stops watching the token and returns the source (which ends a pending next()), once. */
  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.unwatch?.();
    void Promise.resolve(this.iterator.return?.()).catch(() => {});
  }

  /** Takes a pending call off the line; false when it was answered already. */
  private settle(resolve: (step: IteratorResult<ExecutionResult>) => void): boolean {
    const at = this.waiting.indexOf(resolve);
    if (at < 0) return false;
    this.waiting.splice(at, 1);
    return true;
  }
}

export function untilTokenEnds(source: AsyncIterable<ExecutionResult>, tokenId: string, watch: TokenWatch): UntilTokenEnds {
  return new UntilTokenEnds(source, tokenId, watch);
}

/**
 * Ends every subscription, on every transport (WebSocket, Yoga's SSE, graphql-sse), when its token
 * is revoked or expires: the stream's last result is an UNAUTHENTICATED error, then it completes.
 */
export function useLiveAccess(watch: TokenWatch): Plugin {
  // Made once, not per subscriber: the hook reads the caller from the arguments it is given.
  const perStream: ReturnType<NonNullable<Plugin['onSubscribe']>> = {
    onSubscribeResult({ args, result, setResult }) {
      const tokenId = (args.contextValue as unknown as ServerContext).viewer?.tokenId;
      if (tokenId && isAsyncIterable(result)) setResult(untilTokenEnds(result, tokenId, watch));
    },
  };
  return { onSubscribe: () => perStream };
}
