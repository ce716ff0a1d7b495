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

/**
 * Ours: each request reports a fresh row (its own idempotency key) through the GraphQL API, and
 * every answer is checked: HTTP 200, no `errors`, a CheckpointReportPayload, not a duplicate.
 */
export function reportThroughApi(poster: ReturnType<typeof graphqlPoster>, checkpointIds: readonly string[], keyPrefix: string): Send {
  return async (seq) => {
    const row = randomReport(checkpointIds, `${keyPrefix}${seq}`);
    const { checkpointId, periodStart, periodEnd, ...rest } = row;
    const body = JSON.stringify({
      query: REPORT_MUTATION,
      variables: { input: { checkpointId: checkpointGlobalId(checkpointId), periodStart: periodStart.toISOString(), periodEnd: periodEnd.toISOString(), ...rest } },
    });
    const answer = await poster.post(body);
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
    return result.duplicate === false ? null : `duplicate: ${String(result.duplicate)} for a fresh key`;
  };
}
