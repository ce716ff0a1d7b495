import type { Send } from './load.ts';
import { checkpointGlobalId, randomReport } from './rows.ts';
import type { graphqlPoster } from './server.ts';

// An operator token may report for its checkpoints but not read CheckpointReport records (the
// `records` scope is for analysts, commanders and admins), so it asks only whether the report was new,
// as the simulator's gateway client does.
export const REPORT_MUTATION = `mutation Report($input: ReportCheckpointCountsInput!) {
  reportCheckpointCounts(input: $input) {
    __typename
    ... on CheckpointReportPayload { duplicate }
    ... on Error { code message }
  }
}`;

/** Answers the server asked to be retried (503 DATABASE_UNAVAILABLE or SERVER_BUSY, with Retry-After). */
export interface Refusals {
  retried: number;
}

const RETRYABLE = /"code":"(DATABASE_UNAVAILABLE|SERVER_BUSY)"/;

/**
 * Ours: each request reports a fresh row (its own idempotency key) through the GraphQL API, and
 * every answer is checked: HTTP 200, no `errors`, a CheckpointReportPayload, not a duplicate. A 503
 * the server marks retryable ("nothing was done, retry shortly") is retried after its Retry-After
 * with the same key, as the simulator's gateway client does: the wait counts in the latency and the
 * throughput, and the refusals are counted. A retry may find its first attempt stored after all
 * (the answer lost, not the write): then `duplicate: true` is right.
 */
export function reportThroughApi(poster: ReturnType<typeof graphqlPoster>, checkpointIds: readonly string[], keyPrefix: string, refusals?: Refusals): Send {
  return async (seq) => {
    const row = randomReport(checkpointIds, `${keyPrefix}${seq}`);
    const { checkpointId, periodStart, periodEnd, ...rest } = row;
    const body = JSON.stringify({
      query: REPORT_MUTATION,
      variables: { input: { checkpointId: checkpointGlobalId(checkpointId), periodStart: periodStart.toISOString(), periodEnd: periodEnd.toISOString(), ...rest } },
    });
    let answer = await poster.post(body);
    let retries = 0;
    while (answer.status === 503 && RETRYABLE.test(answer.body) && retries < 5) {
      retries++;
      if (refusals) refusals.retried++;
      await new Promise((resolve) => setTimeout(resolve, Math.min(answer.retryAfter ?? 1, 5) * 1000));
      answer = await poster.post(body);
    }
    if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.body.slice(0, 200)}`;
    let parsed: { errors?: unknown; data?: { reportCheckpointCounts?: { __typename?: string; duplicate?: boolean; code?: string; message?: string } } };
    try {
      parsed = JSON.parse(answer.body) as typeof parsed;
    } catch {
      return `not JSON: ${answer.body.slice(0, 200)}`;
    }
    if (parsed.errors) return `errors: ${JSON.stringify(parsed.errors).slice(0, 200)}`;
    const result = parsed.data?.reportCheckpointCounts;
    if (result?.__typename !== 'CheckpointReportPayload') return `${result?.__typename ?? 'no result'}: ${result?.code ?? ''} ${result?.message ?? ''}`;
    return result.duplicate === false || (retries > 0 && result.duplicate === true) ? null : `duplicate: ${String(result.duplicate)} for a fresh key`;
  };
}
