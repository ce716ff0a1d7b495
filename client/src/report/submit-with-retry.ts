// Sending a report until the server answers, with the same idempotency key every time. Kept instead
// of @urql/exchange-retry: the operator sees each retry and its wait, may stop it, and a refusal (as
// opposed to a lost answer) must end the loop at once; the exchange retries out of sight.
import type { CombinedError } from '@urql/core';
import { ErrorCode } from '@fangkong/zone';
import { backoffDelay, type BackoffOptions } from '../live/backoff.ts';

/** One try's outcome: an answer from the server, a network failure (retry), or a refusal (stop). */
export type Attempt<T> = { kind: 'answer'; value: T } | { kind: 'network'; error: unknown } | { kind: 'refused'; error: unknown };

export interface RetryInfo {
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  error: unknown;
}

export interface SubmitOptions {
  backoff?: BackoffOptions;
  /** Told before each wait, so the page can say it is retrying. */
  onRetry?: (info: RetryInfo) => void;
  /** Stops retrying (rejects with an AbortError). */
  signal?: AbortSignal;
  /** Resolves after `ms` (by default earlier when the browser comes back online). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export class SubmissionRefused extends Error {
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason));
    this.name = 'SubmissionRefused';
  }
}

/**
 * Sends one report until the server answers. `send` must send the very same variables every time —
 * the idempotency key chosen once for this report among them — so that a try whose answer was lost
 * and its retry count once: the server answers the retry with the stored report (`duplicate`).
 * Network failures are retried forever with capped, jittered backoff; a refusal (GraphQL errors,
 * e.g. an unauthorized token) stops at once.
 */
export async function submitWithRetry<T>(send: () => Promise<Attempt<T>>, options: SubmitOptions = {}): Promise<T> {
  const sleep = options.sleep ?? abortableSleep;
  for (let retry = 0; ; retry++) {
    throwIfAborted(options.signal);
    const attempt = await send();
    if (attempt.kind === 'answer') return attempt.value;
    if (attempt.kind === 'refused') throw new SubmissionRefused(attempt.error);
    const delayMs = backoffDelay(retry, { baseMs: 1000, capMs: 15_000, ...options.backoff });
    options.onRetry?.({ retry: retry + 1, delayMs, error: attempt.error });
    await sleep(delayMs, options.signal);
  }
}

/** Sorts an urql result into an attempt. */
export function classify<T>(result: { data?: T | null; error?: CombinedError }): Attempt<T> {
  if (result.error?.networkError) return { kind: 'network', error: result.error.networkError };
  if (result.error && !result.data) return { kind: 'refused', error: result.error };
  if (result.data) return { kind: 'answer', value: result.data };
  return { kind: 'network', error: new Error('empty response') };
}

/**
 * A refusal that only concerns reading `report` inside the payload (every error FORBIDDEN at
 * `<mutation>.report…`): the mutation itself went through and the report is stored.
 */
export function refusedOnlyTheReadBack(error: CombinedError | undefined): boolean {
  const errors = error?.graphQLErrors ?? [];
  return errors.length > 0 && errors.every((e) => e.extensions?.code === ErrorCode.Forbidden && e.path?.[1] === 'report');
}

function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new DOMException('Submission cancelled', 'AbortError');
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(done, ms);
    const onOnline = () => done();
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      globalThis.removeEventListener?.('online', onOnline);
      resolve();
    }
    function onAbort() {
      clearTimeout(timer);
      globalThis.removeEventListener?.('online', onOnline);
      reject(new DOMException('Submission cancelled', 'AbortError'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    // Back online: try now rather than at the end of the wait.
    globalThis.addEventListener?.('online', onOnline, { once: true });
  });
}
