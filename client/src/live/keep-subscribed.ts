import { backoffDelay, type BackoffOptions } from './backoff.ts';

export interface KeepSubscribedOptions {
  backoff?: BackoffOptions;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

/**
 * Keeps one subscription open for as long as the screen runs. graphql-ws resubscribes across
 * reconnections by itself, but a subscription the server ends — refused (token unknown, rate
 * limited) or completed — stays ended; this opens it again after a backoff that resets once data
 * flows. `open` subscribes, calls `ended` when the subscription is over, and returns its teardown.
 * Returns the function that stops it for good.
 */
export function keepSubscribed(open: (ended: () => void, flowing: () => void) => () => void, options: KeepSubscribedOptions = {}): () => void {
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((t) => clearTimeout(t as ReturnType<typeof setTimeout>));
  let attempt = 0;
  let stopped = false;
  let timer: unknown = null;
  let teardown: (() => void) | null = null;
  let generation = 0;

  const start = () => {
    timer = null;
    if (stopped) return;
    const mine = ++generation;
    let over = false;
    teardown = open(
      () => {
        // A subscription may end synchronously, before `open` returned; end each one once.
        if (over || stopped || mine !== generation) return;
        over = true;
        teardown = null;
        timer = setTimer(start, backoffDelay(attempt++, { baseMs: 2000, capMs: 60_000, ...options.backoff }));
      },
      () => {
        attempt = 0;
      },
    );
    if (over) teardown = null;
  };
  start();

  return () => {
    stopped = true;
    if (timer !== null) clearTimer(timer);
    timer = null;
    teardown?.();
    teardown = null;
  };
}
