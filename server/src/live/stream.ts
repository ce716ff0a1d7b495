/**
 * The part of the async iterator protocol every live stream here shares: `throw()` ends the stream
 * as `return()` does and rejects with the error, and the stream is its own iterable. The streams are
 * plain classes rather than Repeaters or async generators because thousands of subscribers each hold
 * one for days (live-feed.ts says what that saved).
 */
export abstract class Stream<T> implements AsyncIterableIterator<T> {
  abstract next(): Promise<IteratorResult<T>>;
  abstract return(): Promise<IteratorResult<T>>;

  throw(error: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
