/** Sends request number `seq`; resolves to null when the answer was right, else to what was wrong. */
export type Send = (seq: number) => Promise<string | null>;

export interface LoadResult {
  /** Requests whose answer passed every check. */
  ok: number;
  failures: number;
  /** Up to five distinct failure descriptions. */
  failureSamples: string[];
  /** From the first request to the last answer, in-flight tails included. */
  elapsedMs: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/**
 * A closed loop: `concurrency` workers each send, wait for the answer, check it and send again
 * until `seconds` have passed. Latency is recorded for right answers only; a wrong answer is
 * counted and makes the phase invalid, because error answers are fast and would flatter it.
 */
export async function runClosedLoop(options: {
  concurrency: number;
  seconds: number;
  send: Send;
  /** What worker n (0 … concurrency − 1) sends with instead, e.g. half the workers to each of two servers. */
  sendFor?: (worker: number) => Send;
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const samples = new Set<string>();
  let ok = 0;
  let failures = 0;
  let seq = 0;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;

  const worker = async (index: number) => {
    const send = options.sendFor?.(index) ?? options.send;
    while (performance.now() < deadline) {
      const sentAt = performance.now();
      let problem: string | null;
      try {
        problem = await send(seq++);
      } catch (error) {
        problem = error instanceof Error ? error.message : String(error);
      }
      if (problem === null) {
        ok++;
        latencies.push(performance.now() - sentAt);
      } else {
        failures++;
        if (samples.size < 5) samples.add(problem.slice(0, 300));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => worker(index)));

  const elapsedMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  return {
    ok,
    failures,
    failureSamples: [...samples],
    elapsedMs,
    perSecond: ok / (elapsedMs / 1000),
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
  };
}

/** Nearest-rank percentile of an ascending array; 0 when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
