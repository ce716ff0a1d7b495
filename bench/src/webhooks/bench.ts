// The webhooks benchmark: does a slow partner slow ingest? Checkpoint reports per second while
// several webhook endpoints receive every report through a receiver that takes `delayMs` to answer
// each POST, ÷ the same with those endpoints paused; same server, same run, sides alternating, median
// of the per-pair ratios. After each slow round, how far behind the endpoints are (lag, in events).
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { createEmptyDatabase } from '../shared/databases.ts';
import { repoRoot } from '../shared/paths.ts';
import { median } from '../shared/stats.ts';
import { createToken } from '../shared/tokens.ts';
import { graphqlPoster, serverEnv, startServer } from '../reporting/server.ts';

export interface WebhooksBenchOptions {
  rounds?: number;
  seconds?: number;
  concurrency?: number;
  endpoints?: number;
  delayMs?: number;
}

const CHECKPOINTS = ['yingbin-road-exit', 'zhongyuan-road-exit', 'fengshou-road', 'linxigu-gate', 'binhe-gate', 'jinshan-gate', 'baida-supermarket', 'lubao-market'];
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const REPORT = `mutation($input: ReportCheckpointCountsInput!) { reportCheckpointCounts(input: $input) { __typename } }`;

export async function runWebhooksBench(options: WebhooksBenchOptions = {}) {
  const rounds = options.rounds ?? 5;
  const seconds = options.seconds ?? 10;
  const concurrency = options.concurrency ?? 8;
  const endpointCount = options.endpoints ?? 5;
  const delayMs = options.delayMs ?? 1000;

  // The partner's receiver: answers every POST 200, after delayMs.
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      setTimeout(() => res.writeHead(200).end('ok'), delayMs);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = await createEmptyDatabase(adminUrl, 'fangkong_bench_webhooks');
  const server = await startServer({ repoRoot, databaseUrl: database.url });
  const token = await createToken({ repoRoot, env: serverEnv(database.url), role: 'admin', label: 'webhooks bench' });
  const http = graphqlPoster(server.url, concurrency + 2, token);
  const call = async (query: string, variables: Record<string, unknown>) => {
    const answer = await http.post(JSON.stringify({ query, variables }));
    const body = JSON.parse(answer.body) as { data?: Record<string, any>; errors?: unknown };
    if (answer.status !== 200 || body.errors) throw new Error(`${answer.status} ${answer.body.slice(0, 300)}`);
    return body.data!;
  };

  const ids: string[] = [];
  for (let i = 0; i < endpointCount; i++) {
    const data = await call(
      `mutation($input: RegisterWebhookEndpointInput!) { registerWebhookEndpoint(input: $input) { __typename ... on RegisteredWebhookEndpoint { endpoint { id } } } }`,
      { input: { url: `${receiverUrl}/partner-${i}`, label: `slow partner ${i}`, eventTypes: ['CHECKPOINT_REPORT_REPORTED'] } },
    );
    ids.push(data.registerWebhookEndpoint.endpoint.id);
  }
  async function setEndpoints(active: boolean) {
    for (const id of ids) {
      const mutation = active
        ? `mutation($id: ID!) { resumeWebhookEndpoint(endpointId: $id) { __typename } }`
        : `mutation($id: ID!) { pauseWebhookEndpoint(endpointId: $id, reason: "bench: the other side") { __typename } }`;
      await call(mutation, { id });
    }
  }
  const lag = async () => {
    const data = await call(`{ webhookEndpoints { lag } }`, {});
    return Math.max(...(data.webhookEndpoints as { lag: number }[]).map((e) => e.lag));
  };

  // Each checkpoint reports hours going back from the last full one: never overlapping.
  const HOUR = 3_600_000;
  const next = new Map(CHECKPOINTS.map((c) => [c, Math.floor(Date.now() / HOUR) * HOUR]));
  let n = 0;
  const reportInput = (checkpoint: string) => {
    const end = next.get(checkpoint)!;
    next.set(checkpoint, end - HOUR);
    return { checkpointId: globalId('Checkpoint', checkpoint), periodStart: new Date(end - HOUR).toISOString(), periodEnd: new Date(end).toISOString(), peopleScreened: 20, idempotencyKey: randomUUID() };
  };

  async function ingestRound(): Promise<{ perSecond: number; errors: number }> {
    const until = Date.now() + seconds * 1000;
    let accepted = 0;
    let errors = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          n++;
          try {
            const data = await call(REPORT, { input: reportInput(CHECKPOINTS[n % CHECKPOINTS.length]!) });
            if (data.reportCheckpointCounts.__typename === 'CheckpointReportPayload') accepted++;
            else errors++;
          } catch {
            errors++;
          }
        }
      }),
    );
    return { perSecond: accepted / seconds, errors };
  }

  await ingestRound(); // warm-up, endpoints active
  const pairs: { slow: number; none: number; ratio: number; lag: number; errors: number }[] = [];
  let active = true;
  for (let round = 0; round < rounds; round++) {
    const sides = round % 2 ? (['none', 'slow'] as const) : (['slow', 'none'] as const);
    const result: Record<string, number> = {};
    let errors = 0;
    let behind = 0;
    for (const side of sides) {
      if (active !== (side === 'slow')) await setEndpoints((active = side === 'slow'));
      const r = await ingestRound();
      result[side] = r.perSecond;
      errors += r.errors;
      if (side === 'slow') behind = await lag();
    }
    pairs.push({ slow: result.slow!, none: result.none!, ratio: result.slow! / result.none!, lag: behind, errors });
  }
  http.close();
  await server.stop();
  await database.drop();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  receiver.closeAllConnections();

  const ratios = pairs.map((p) => p.ratio);
  const errors = pairs.reduce((sum, p) => sum + p.errors, 0);
  const markdown = [
    '# Webhooks: ingest while slow partners receive every report ÷ with their endpoints paused',
    '',
    `${new Date().toISOString()} · ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(2)} · PostgreSQL · ${rounds} pairs of ${seconds} s, ${concurrency} concurrent reporters, sides alternating · ${endpointCount} endpoints, receiver answers each POST after ${delayMs} ms`,
    '',
    '| pair | slow endpoints (reports/s) | endpoints paused (reports/s) | ratio | lag after the slow round (events) | errors |',
    '|---|---|---|---|---|---|',
    ...pairs.map((p, i) => `| ${i + 1} | ${p.slow.toFixed(1)} | ${p.none.toFixed(1)} | ${p.ratio.toFixed(2)} | ${p.lag} | ${p.errors} |`),
    `| **median** | ${median(pairs.map((p) => p.slow)).toFixed(1)} | ${median(pairs.map((p) => p.none)).toFixed(1)} | **${median(ratios).toFixed(2)}** | ${median(pairs.map((p) => p.lag))} | ${errors} |`,
    '',
    `POSTs received: ${received}.`,
    '',
  ].join('\n');
  return { markdown, ratio: median(ratios), valid: errors === 0 && received > 0 };
}
