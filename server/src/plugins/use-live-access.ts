import { ErrorCode } from '@fangkong/zone';
import { Repeater } from '@repeaterjs/repeater';
import { type ExecutionResult, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TokenWatch } from '../auth/token-watch.ts';
import type { TokenEnd } from '../auth/tokens.ts';
import type { ServerContext } from './guard.ts';

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
 * A Repeater, so a consumer that leaves (a closed SSE response) stops the source at once even while
 * it waits for its next value.
 */
export function untilTokenEnds(source: AsyncIterable<ExecutionResult>, tokenId: string, watch: TokenWatch): Repeater<ExecutionResult> {
  return new Repeater<ExecutionResult>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    const unwatch = watch.watch(tokenId, (why) => {
      void push(accessEnded(why));
      stop();
    });
    // Stopping returns the source, which ends a pending next(). (Racing every next() against
    // `stop` instead left a reaction on it per result: heap that grew with every event a
    // connected subscriber received.)
    void stop.then(() => Promise.resolve(iterator.return?.()).catch(() => {}));
    try {
      for (;;) {
        const step = await iterator.next();
        if (step.done) break;
        await push(step.value);
      }
    } catch (error) {
      stop(error);
    } finally {
      unwatch();
      stop();
    }
  });
}

/**
 * Ends every subscription, on every transport (WebSocket, Yoga's SSE, graphql-sse), when its token
 * is revoked or expires: the stream's last result is an UNAUTHENTICATED error, then it completes.
 */
export function useLiveAccess(watch: TokenWatch): Plugin {
  return {
    onSubscribe({ args }) {
      const tokenId = (args.contextValue as unknown as ServerContext).viewer?.tokenId;
      if (!tokenId) return;
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) setResult(untilTokenEnds(result, tokenId, watch));
        },
      };
    },
  };
}
