// The write that drives the live benchmark: one checkpoint report per call, over HTTP as an
// operator's app sends it. Every report commits one outbox event (checkpointReport:reported).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { BENCH_CLOCK_START } from './server.ts';

/** Relay global ID of the checkpoint reports go to unless a reporter is given others. */
export const CHECKPOINT_ID = Buffer.from('Checkpoint:fengshou-road').toString('base64');

/** The seed's checkpoints, for reporters that spread many reports over them (each one's periods are its own). */
export const SEED_CHECKPOINT_IDS = ['yingbin-road-exit', 'zhongyuan-road-exit', 'fengshou-road', 'linxigu-gate', 'binhe-gate', 'jinshan-gate', 'baida-supermarket', 'lubao-market'].map((id) =>
  Buffer.from(`Checkpoint:${id}`).toString('base64'),
);

const MUTATION = `mutation Report($input: ReportCheckpointCountsInput!) {
  reportCheckpointCounts(input: $input) {
    __typename
    ... on CheckpointReportPayload { duplicate report { id } }
    ... on Error { code message }
  }
}`;

export interface Reporter {
  readonly graphqlUrl: string;
  /** The bearer token the reports go with (subscribers of the same run use it too). */
  readonly token: string;
  /**
   * Sends one new report; resolves with its global ID once the server answered. A failed attempt
   * is retried (twice, with the same idempotency key, as an operator's app would).
   */
  report(): Promise<string>;
  /** Attempts that failed and were retried, with why (the first 20 kept). */
  readonly retried: { count: number; reasons: string[] };
  close(): void;
}

/**
 * Periods are numbered across the whole bench process, not per reporter: every phase reports to the
 * same checkpoint, and the server refuses a period overlapping a current report of it.
 */
const periods = new Map<string, number>();
let periodsEndBy: number | undefined;

/** Reports over a keep-alive connection pool (one socket per concurrent report), in turn to each of `checkpoints`. */
export function createReporter(graphqlUrl: string, token: string, maxSockets = 32, checkpoints: readonly string[] = [CHECKPOINT_ID]): Reporter {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  let sent = 0;
  const retried = { count: 0, reasons: [] as string[] };
  const once = async (body: string, retry: boolean): Promise<string> => {
    const response = await post(graphqlUrl, body, token, agent);
    const result = response as { data?: { reportCheckpointCounts?: { __typename: string; duplicate?: boolean; report?: { id: string } } }; errors?: unknown };
    const payload = result.data?.reportCheckpointCounts;
    // A retry may find its first attempt committed after all: then it is a duplicate, as it should be.
    if (result.errors || payload?.__typename !== 'CheckpointReportPayload' || (payload.duplicate && !retry) || !payload.report) {
      throw new Error(`reportCheckpointCounts failed: ${JSON.stringify(response).slice(0, 500)}`);
    }
    return payload.report.id;
  };
  return {
    graphqlUrl,
    token,
    retried,
    async report() {
      const checkpointId = checkpoints[sent++ % checkpoints.length]!;
      const count = (periods.get(checkpointId) ?? 0) + 1;
      periods.set(checkpointId, count);
      // A second of its own (one checkpoint's current reports may not overlap), going back from a
      // minute before the servers' demo clock starts: never in the future, on the day they call today.
      periodsEndBy ??= Date.parse(BENCH_CLOCK_START) - 60_000;
      const end = new Date(periodsEndBy - count * 1000);
      const start = new Date(end.getTime() - 1000);
      const body = JSON.stringify({
        query: MUTATION,
        variables: {
          input: {
            checkpointId,
            periodStart: start.toISOString(),
            periodEnd: end.toISOString(),
            peopleScreened: 1 + (count % 50),
            idempotencyKey: `bench-live-${randomUUID()}`,
          },
        },
      });
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(body, attempt > 1);
        } catch (error) {
          if (attempt === 3) throw error;
          retried.count++;
          if (retried.reasons.length < 20) retried.reasons.push((error as Error).message.slice(0, 300));
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    },
    close: () => agent.destroy(),
  };
}

function post(url: string, body: string, token: string, agent: http.Agent): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('error', reject);
      response.on('end', () => {
        try {
          const parsed = JSON.parse(text) as unknown;
          if (response.statusCode !== 200) reject(new Error(`HTTP ${response.statusCode}: ${text.slice(0, 500)}`));
          else resolve(parsed);
        } catch {
          reject(new Error(`HTTP ${response.statusCode}, not JSON: ${text.slice(0, 500)}`));
        }
      });
    });
    request.end(body);
  });
}

/** Runs `total` reports with at most `concurrency` in flight; resolves with their IDs. */
export async function reportBurst(reporter: Reporter, total: number, concurrency: number): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      ids.push(await reporter.report());
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return ids;
}
