import autocannon from 'autocannon';

export interface LoadOptions {
  /** The GraphQL endpoint. */
  url: string;
  /** The POST body sent on every request. */
  body: string;
  /** Headers sent with it besides the content type (e.g. authorization). */
  headers?: Record<string, string>;
  /**
   * The body a correct response carries (as this target serialises it). Anything else is counted:
   * an error response is fast and would flatter the target, so a run with any is invalid.
   */
  expectedBody: string;
  seconds: number;
  /** @default 10 */
  connections?: number;
}

export interface LoadResult {
  /** Responses per second over the run (all of them; see `invalid`). */
  requestsPerSecond: number;
  responses: number;
  /** Milliseconds. */
  p50: number;
  p99: number;
  /** Non-200 responses, bodies with "errors", socket errors and timeouts. */
  errors: number;
  /** 200 responses without "errors" whose body differed from the expected one. */
  mismatches: number;
  /** True when the run must not be counted. */
  invalid: boolean;
}

/** One autocannon run of a single operation, checking every response body. */
export async function load(options: LoadOptions): Promise<LoadResult> {
  let checked = 0;
  let badResponses = 0;
  let mismatches = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 10,
    pipelining: 1,
    duration: options.seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
        body: options.body,
        onResponse: (status, body) => {
          checked++;
          if (status !== 200 || body.includes('"errors"')) badResponses++;
          else if (body !== options.expectedBody) mismatches++;
        },
      },
    ],
  });
  const errors = badResponses + result.errors + result.timeouts;
  return {
    requestsPerSecond: result.requests.total / result.duration,
    responses: checked,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
    mismatches,
    invalid: errors > 0 || mismatches > 0 || checked === 0,
  };
}
