export interface BackoffOptions {
  /** Delay before the first retry. @default 500 */
  baseMs?: number;
  /** No delay exceeds this, however many retries failed. @default 30000 */
  capMs?: number;
  /** Growth per failed retry. @default 2 */
  factor?: number;
  /** Random source in [0, 1); injectable for tests. @default Math.random */
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (0 for the first): exponential, capped, with "equal jitter"
 * (half fixed, half random) so a room of displays does not reconnect in lockstep after a restart,
 * yet none waits less than half the nominal delay. There is no retry cap: callers retry forever.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const { baseMs = 500, capMs = 30_000, factor = 2, random = Math.random } = options;
  const safeAttempt = Math.max(0, Math.min(attempt, 64));
  const nominal = Math.min(capMs, baseMs * factor ** safeAttempt);
  const half = nominal / 2;
  return Math.round(half + random() * half);
}
