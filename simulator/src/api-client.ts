// The simulator's only way into Fangkong: GraphQL over HTTP POST with the operator's bearer token.
// A report is built once and sent with one idempotency key; a retry (network error, timeout, 5xx,
// 429) re-sends exactly the same body after a backoff, so the server stores it at most once.
import type { RateLimiter } from './rate-limiter.ts';

export interface ApiClientOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** Sent as `Authorization: Bearer <token>` on every request. */
  token: string;
  /** Give up on one attempt after this long. @default 15000 */
  timeoutMs?: number;
  /** Attempts per request, the first included. @default 6 */
  maxAttempts?: number;
  /** First backoff; doubles per retry up to `maxBackoffMs`, with jitter. @default 250 */
  backoffMs?: number;
  /** @default 8000 */
  maxBackoffMs?: number;
  /** Every attempt of a write waits for a token here; reads of reference data do not. */
  limiter?: RateLimiter;
  /** Told about each write attempt sent and each retry of a write. */
  onRequest?: () => void;
  onRetry?: (reason: string, message: string) => void;
}

/** Why a request did not produce GraphQL data. */
export class ApiError extends Error {
  constructor(
    /** Short, groupable: "network ECONNREFUSED", "HTTP 502", "BAD_USER_INPUT". */
    readonly reason: string,
    message: string,
    /** Worth another attempt with the same body. */
    readonly retryable: boolean,
    /** The server may have acted on it (the answer, not the request, was lost). */
    readonly maybeApplied: boolean,
    readonly status?: number,
    /** The server asked to wait this long before trying again (429). */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The server answered with a GraphQL error (unauthenticated, forbidden, bad input): nothing was done. */
export class RefusedError extends ApiError {
  constructor(code: string, message: string, status: number) {
    super(code, message, false, false, status);
  }
}

/** The simulator stopped before this request was sent: nothing happened. */
export class NotSentError extends ApiError {
  constructor() {
    super('not sent', 'stopped before it was sent', false, false);
  }
}

export interface PostResult<T> {
  data: T;
  attempts: number;
  /** An earlier attempt failed in a way that may have reached the server. */
  uncertain: boolean;
}

/** The typed union a report mutation returns. */
export interface WriteResult {
  __typename: string;
  duplicate?: boolean;
  code?: string;
  message?: string;
  issues?: { field: string; message: string }[];
  current?: string;
  /** For an OverlappingReportError: the end of the report already counted for (part of) the period. */
  existingPeriodEnd?: string;
  line?: { status: string };
}

/** What a refused report says, for both report mutations. */
const REFUSAL = `fragment SimulatorRefusal on Error {
  code
  message
  ... on ValidationError { issues { field message } }
  ... on InvalidStateError { current }
  ... on OverlappingReportError { existingPeriodEnd }
}`;

export const REPORT_CHECKPOINT_COUNTS = `mutation SimulatorReportCheckpointCounts($input: ReportCheckpointCountsInput!) {
  result: reportCheckpointCounts(input: $input) { __typename ... on CheckpointReportPayload { duplicate } ...SimulatorRefusal }
}
${REFUSAL}`;

export const REPORT_PRODUCTION_OUTPUT = `mutation SimulatorReportProductionOutput($input: ReportProductionOutputInput!) {
  result: reportProductionOutput(input: $input) { __typename ... on OutputReportPayload { duplicate } ...SimulatorRefusal }
}
${REFUSAL}`;

export const SET_LINE_STATUS = `mutation SimulatorSetProductionLineStatus($lineId: ID!, $status: LineStatus!, $note: String) {
  result: setProductionLineStatus(lineId: $lineId, status: $status, note: $note) {
    __typename
    ... on LineStatusPayload { line { status } }
    ... on Error { code message }
    ... on InvalidStateError { current }
    ... on ValidationError { issues { field message } }
  }
}`;

export class ApiClient {
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private stopping = false;
  private readonly wakeUps = new Set<() => void>();

  constructor(private readonly options: ApiClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 6);
    this.backoffMs = options.backoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 8_000;
  }

  /** From now on retries barely wait: shutdown finishes what is in flight without long backoffs. */
  stop(): void {
    this.stopping = true;
    for (const wake of this.wakeUps) wake();
  }

  /** One POST, no retry: the data, or an ApiError saying why not. */
  async postOnce<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: `Bearer ${this.options.token}`,
        },
        body: JSON.stringify({ query, variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw networkError(error, this.timeoutMs);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // The server answered but the body was cut: it may well have committed.
      throw networkError(error, this.timeoutMs);
    }
    const { status } = response;
    let body: { data?: T | null; errors?: { message: string; extensions?: { code?: string } }[] } | undefined;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const first = body?.errors?.[0];
    const code = first?.extensions?.code;
    if (status === 429) {
      const retryAfter = Number(response.headers.get('retry-after'));
      const waitMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 5_000;
      throw new ApiError(code ?? 'HTTP 429', first?.message ?? 'too many requests', true, false, status, waitMs);
    }
    if (status >= 500 || status === 408) {
      throw new ApiError(`HTTP ${status}`, `HTTP ${status}: ${(first?.message ?? text).slice(0, 200)}`, true, status >= 500, status);
    }
    if (!body || typeof body !== 'object') {
      throw new ApiError(`HTTP ${status}`, `not a GraphQL answer (HTTP ${status}, ${response.headers.get('content-type') ?? 'no content type'})`, false, false, status);
    }
    if (first && !body.data) {
      // A masked unexpected error may be a passing database hiccup; the idempotency key makes a retry safe.
      const unexpected = !code || code === 'INTERNAL_SERVER_ERROR';
      if (unexpected && status < 400) throw new ApiError(code ?? 'GraphQL error', first.message, true, true, status);
      throw new RefusedError(code ?? `HTTP ${status}`, first.message, status);
    }
    if (status >= 400 || !body.data) throw new ApiError(`HTTP ${status}`, `HTTP ${status} without data`, false, false, status);
    // Data with errors beside it: fields this token may not read come back null; callers cope.
    return body.data;
  }

  /**
   * POSTs the same body until it gets an answer: retries network errors, timeouts and 5xx with
   * exponential backoff and jitter, up to maxAttempts; waits out 429s (slowing the whole limiter)
   * for up to two minutes. A `write` takes a token from the rate limiter before every attempt
   * (unless `unlimited`) and is counted.
   */
  async post<T>(
    query: string,
    variables: Record<string, unknown> = {},
    { write = false, unlimited = false, maxAttempts = this.maxAttempts } = {},
  ): Promise<PostResult<T>> {
    let uncertain = false;
    let failures = 0;
    let throttledMs = 0;
    for (let attempt = 1; ; attempt++) {
      // Once stopping, the limiter refuses: a report not yet sent is dropped; a retry of one sent goes on.
      if (write && !unlimited && this.options.limiter && !(await this.options.limiter.acquire()) && attempt === 1) throw new NotSentError();
      if (write) this.options.onRequest?.();
      try {
        return { data: await this.postOnce<T>(query, variables), attempts: attempt, uncertain };
      } catch (error) {
        if (!(error instanceof ApiError) || !error.retryable) throw error;
        uncertain ||= error.maybeApplied;
        const giveUp = (why: string) => new ApiError(error.reason, `${error.message} (${why})`, false, uncertain, error.status);
        if (error.retryAfterMs !== undefined) {
          throttledMs += error.retryAfterMs;
          if (this.stopping || throttledMs > 120_000) throw giveUp(`gave up after ${Math.round(throttledMs / 1000)} s of rate limiting`);
          if (write) this.options.onRetry?.(error.reason, error.message);
          if (write && !unlimited && this.options.limiter) this.options.limiter.pauseFor(error.retryAfterMs);
          else await this.wait(error.retryAfterMs);
          continue;
        }
        failures++;
        if (failures >= maxAttempts) throw giveUp(`gave up after ${attempt} attempts`);
        if (write) this.options.onRetry?.(error.reason, error.message);
        await this.wait(Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (failures - 1)) * (0.5 + Math.random() / 2));
      }
    }
  }

  /** A report mutation's union result, retried as `post` does. */
  async write(query: string, variables: Record<string, unknown>): Promise<PostResult<WriteResult>> {
    const { data, attempts, uncertain } = await this.post<{ result: WriteResult }>(query, variables, { write: true });
    return { data: data.result, attempts, uncertain };
  }

  /** Sleeps; once stopping, a tenth of a second at most, so shutdown does not wait out long backoffs. */
  private wait(ms: number): Promise<void> {
    if (this.stopping) ms = Math.min(ms, 100);
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeUps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakeUps.add(wake);
    });
  }
}

function networkError(error: unknown, timeoutMs: number): ApiError {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new ApiError('timeout', `no answer within ${timeoutMs} ms`, true, true);
  }
  const code = e?.cause?.code;
  const detail = e?.cause?.message ?? e?.message ?? String(error);
  // A refused or unresolvable connection never reached the server; anything else might have.
  const neverSent = code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
  return new ApiError(code ? `network ${code}` : 'network error', detail, true, !neverSent);
}

/** "VALIDATION_FAILED periodEnd", "NOT_FOUND", …: a refusal grouped by code and offending fields. */
export function refusalReason(result: WriteResult): string {
  const fields = [...new Set(result.issues?.map((issue) => issue.field) ?? [])];
  return [result.code ?? result.__typename, ...fields].join(' ');
}
