// The alerts benchmark. (1) Ingest: checkpoint reports per second with every alert rule enabled ÷
// with none, same server, same run, sides alternating, median of the per-pair ratios; after each
// enabled round, how long the evaluator took to finish the backlog. (2) Latency: from a fever report
// at an expressway exit to the alerts subscriber receiving the alert, p50/p99, from the report's
// sending and from its answer.
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import WebSocket from 'ws';
import { createEmptyDatabase } from '../shared/databases.ts';
import { repoRoot } from '../shared/paths.ts';
import { median } from '../shared/stats.ts';
import { createToken } from '../shared/tokens.ts';
import { graphqlPoster, serverEnv, startServer } from '../reporting/server.ts';

export interface AlertsBenchOptions {
  rounds?: number;
  seconds?: number;
  concurrency?: number;
  latencySamples?: number;
}

const CHECKPOINTS = ['yingbin-road-exit', 'zhongyuan-road-exit', 'fengshou-road', 'linxigu-gate', 'binhe-gate', 'jinshan-gate', 'baida-supermarket', 'lubao-market'];
const RULES = ['fever-at-entry', 'silent-site', 'output-under-target', 'line-halted', 'stock-low', 'isolation-no-check', 'isolation-fever', 'task-overdue', 'finding-overdue', 'suspicious-figures', 'screen-silent'];
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const REPORT = `mutation($input: ReportCheckpointCountsInput!) { reportCheckpointCounts(input: $input) { __typename ... on CheckpointReportPayload { report { id } } ... on Error { code message } } }`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function runAlertsBench(options: AlertsBenchOptions = {}) {
  const rounds = options.rounds ?? 5;
  const seconds = options.seconds ?? 10;
  const concurrency = options.concurrency ?? 8;
  const samples = options.latencySamples ?? 100;
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const database = await createEmptyDatabase(adminUrl, 'fangkong_bench_alerts');
  // The sweep every second (30 s by default) so its cost is inside the measurement.
  process.env.FANGKONG_ALERT_SWEEP_MS = '1000';
  const server = await startServer({ repoRoot, databaseUrl: database.url });
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  const token = await createToken({ repoRoot, env: serverEnv(database.url), role: 'admin', label: 'alerts bench' });
  const http = graphqlPoster(server.url, concurrency + 2, token);
  const call = async (query: string, variables: Record<string, unknown>) => {
    const answer = await http.post(JSON.stringify({ query, variables }));
    const body = JSON.parse(answer.body) as { data?: Record<string, any>; errors?: unknown };
    if (answer.status !== 200 || body.errors) throw new Error(`${answer.status} ${answer.body.slice(0, 300)}`);
    return body.data!;
  };

  // Each checkpoint reports hours going back from the last full one, as sites report: never
  // overlapping, and the suspicious-figures rule sees its real history (one report per hour of day per day).
  const HOUR = 3_600_000;
  const next = new Map(CHECKPOINTS.map((c) => [c, Math.floor(Date.now() / HOUR) * HOUR]));
  let n = 0;
  const reportInput = (checkpoint: string, feverCases: number) => {
    const end = next.get(checkpoint)!;
    next.set(checkpoint, end - HOUR);
    return {
      checkpointId: globalId('Checkpoint', checkpoint),
      periodStart: new Date(end - HOUR).toISOString(),
      periodEnd: new Date(end).toISOString(),
      peopleScreened: 20 + (n % 7),
      vehiclesInspected: 5,
      feverCases,
      idempotencyKey: randomUUID(),
    };
  };

  async function setRules(enabled: boolean) {
    for (const id of RULES) await call(`mutation($id: ID!, $on: Boolean!) { updateAlertRule(ruleId: $id, enabled: $on) { __typename } }`, { id: globalId('AlertRule', id), on: enabled });
  }

  async function evaluatorBacklogMs(): Promise<number> {
    const started = Date.now();
    for (;;) {
      const { rows } = await db.query(`SELECT (SELECT seq FROM "AlertCursor" WHERE id = 'evaluator') >= (SELECT MAX(seq) FROM "Event" WHERE type LIKE 'checkpointReport:%') AS done`);
      if (rows[0]?.done) return Date.now() - started;
      if (Date.now() - started > 120_000) return Number.POSITIVE_INFINITY;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async function ingestRound(): Promise<{ perSecond: number; errors: number }> {
    const until = Date.now() + seconds * 1000;
    let accepted = 0;
    let errors = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < until) {
          n++;
          const checkpoint = CHECKPOINTS[n % CHECKPOINTS.length]!;
          // One report in 25 carries a fever case (alerts are written, not only looked for).
          try {
            const data = await call(REPORT, { input: reportInput(checkpoint, n % 25 === 0 ? 1 : 0) });
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

  // Warm-up, then alternating sides; the order flips every pair.
  await setRules(true);
  await ingestRound();
  await evaluatorBacklogMs();
  const pairs: { enabled: number; none: number; ratio: number; backlogMs: number; errors: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    const sides = round % 2 ? (['none', 'enabled'] as const) : (['enabled', 'none'] as const);
    const result: Record<string, number> = {};
    let backlogMs = 0;
    let errors = 0;
    for (const side of sides) {
      await setRules(side === 'enabled');
      const r = await ingestRound();
      result[side] = r.perSecond;
      errors += r.errors;
      // The evaluator finishes its backlog before the other side runs (so each side pays only for itself).
      const backlog = await evaluatorBacklogMs();
      if (side === 'enabled') backlogMs = backlog;
    }
    pairs.push({ enabled: result.enabled!, none: result.none!, ratio: result.enabled! / result.none!, backlogMs, errors });
  }

  // Latency: fever reports one after another at an expressway exit, an admin subscriber on a WebSocket.
  await setRules(true);
  await call(`mutation($id: ID!) { updateAlertRule(ruleId: $id, cooldownMinutes: 0) { __typename } }`, { id: globalId('AlertRule', 'fever-at-entry') });
  const received = new Map<string, number>();
  const socket = new WebSocket(server.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    socket.on('message', (raw) => {
      const message = JSON.parse(String(raw)) as { type: string; payload?: any };
      if (message.type === 'connection_ack') {
        socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { alerts(minSeverity: HIGH) { kind alerts { details } } }' } }));
      } else if (message.type === 'next') {
        const update = message.payload.data?.alerts;
        if (update?.kind === 'SNAPSHOT') resolve();
        if (update?.kind === 'RAISED') for (const a of update.alerts) received.set(JSON.parse(a.details).reportId, Date.now());
      }
    });
  });
  const fromSend: number[] = [];
  const fromAnswer: number[] = [];
  for (let i = 0; i < samples; i++) {
    const sent = Date.now();
    const data = await call(REPORT, { input: reportInput('yingbin-road-exit', 1) });
    const answered = Date.now();
    const reportId = Buffer.from(data.reportCheckpointCounts.report.id, 'base64').toString().split(':')[1]!;
    const deadline = Date.now() + 10_000;
    while (!received.has(reportId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    const at = received.get(reportId);
    if (at === undefined) throw new Error(`no alert for report ${reportId} within 10 s`);
    fromSend.push(at - sent);
    fromAnswer.push(at - answered);
    await new Promise((r) => setTimeout(r, 50));
  }
  socket.close();
  http.close();
  await db.end();
  await server.stop();
  await database.drop();

  const ratios = pairs.map((p) => p.ratio);
  const latency = {
    sendP50: percentile(fromSend, 50),
    sendP99: percentile(fromSend, 99),
    answerP50: percentile(fromAnswer, 50),
    answerP99: percentile(fromAnswer, 99),
  };
  const errors = pairs.reduce((sum, p) => sum + p.errors, 0);
  const markdown = [
    '# Alerts: ingest with every rule ÷ with none; report → subscriber latency',
    '',
    `${new Date().toISOString()} · ${os.cpus().length} cores, load average ${os.loadavg()[0]!.toFixed(2)} · PostgreSQL · ${rounds} pairs of ${seconds} s, ${concurrency} concurrent reporters, sides alternating · alert sweep every 1 s`,
    '',
    '| pair | all rules (reports/s) | no rules (reports/s) | ratio | evaluator backlog after the round (ms) | errors |',
    '|---|---|---|---|---|---|',
    ...pairs.map((p, i) => `| ${i + 1} | ${p.enabled.toFixed(1)} | ${p.none.toFixed(1)} | ${p.ratio.toFixed(2)} | ${p.backlogMs} | ${p.errors} |`),
    `| **median** | ${median(pairs.map((p) => p.enabled)).toFixed(1)} | ${median(pairs.map((p) => p.none)).toFixed(1)} | **${median(ratios).toFixed(2)}** | ${median(pairs.map((p) => p.backlogMs))} | ${errors} |`,
    '',
    `Fever report → alert at a WebSocket subscriber (${samples} reports, one at a time): from sending p50 ${latency.sendP50} ms, p99 ${latency.sendP99} ms; from the report's answer p50 ${latency.answerP50} ms, p99 ${latency.answerP99} ms.`,
    '',
  ].join('\n');
  return { markdown, ratio: median(ratios), latency, valid: errors === 0 && Number.isFinite(median(pairs.map((p) => p.backlogMs))) };
}
