import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedClock } from './support/clock.ts';
import { collect, wsClient } from './support/live.ts';
import { createTestDatabase, postgresReachable, type TestDatabase } from './support/postgres.ts';
import { observations, scrape, value } from './support/prometheus.ts';
import { redisReachable, redisUrl, runPrefix } from './support/redis.ts';
import { countsInput, reportCounts } from './support/reporting.ts';
import { repoRoot, tempDir } from './support/processes.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

/** Where the server says its metrics listen (its log line may come just after the API's, on the other stream). */
async function metricsUrlOf(server: RunningServer): Promise<string> {
  for (let waited = 0; waited < 10_000; waited += 50) {
    const url = /"url":"([^"]+)"[^\n]*"msg":"metrics listening"/.exec(server.output())?.[1];
    if (url) return url;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the server did not say where its metrics listen:\n${server.output()}`);
}

const ZONE_SUBSCRIPTION = 'subscription MetricsZone { zoneSummary { checkpointTotals { peopleScreened } asOfSeq } }';

/** A subscription over Yoga's SSE on /graphql, read until `stop()`. */
function sseSubscription(graphqlUrl: string, token: string, query: string) {
  const controller = new AbortController();
  let text = '';
  const reading = fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
    signal: controller.signal,
  }).then(async (response) => {
    const reader = response.body!.getReader();
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) return;
      text += new TextDecoder().decode(chunk);
    }
  });
  return {
    messages: () => text.match(/^data: /gm)?.length ?? 0,
    stop: async () => {
      controller.abort();
      await reading.catch(() => {});
    },
  };
}

describe('/metrics, on an address of its own (embedded database)', () => {
  let server: RunningServer;
  let metricsUrl: string;
  let dir: ReturnType<typeof tempDir>;
  const clock = pinnedClock('14:30');
  const RATE_LIMIT = 30;

  beforeAll(async () => {
    dir = tempDir('metrics');
    server = await startServer({
      FANGKONG_DATA_DIR: dir.path,
      FANGKONG_CLOCK_START: clock.start,
      FANGKONG_METRICS_ADDRESS: '127.0.0.1:0',
      FANGKONG_RATE_LIMIT: String(RATE_LIMIT),
      FANGKONG_MIN_INTERVAL_MS: '50',
    });
    metricsUrl = await metricsUrlOf(server);
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    dir?.remove();
  });

  it('serves the Prometheus text format there, and nothing of it on the API port', async () => {
    expect(new URL(metricsUrl).port).not.toBe(new URL(server.url).port);
    const metrics = await scrape(metricsUrl);
    expect(metrics.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(metrics.get('nodejs_eventloop_lag_p99_seconds')?.type).toBe('gauge');
    expect(value(metrics, 'fangkong_bus_connected', { kind: 'in-process' })).toBe(1);
    expect(metrics.get('fangkong_outbox_head_seq')?.type).toBe('gauge');
    expect((await fetch(`${server.url}/metrics`)).status).toBe(404);
    expect((await fetch(metricsUrl.replace(/\/metrics$/, '/graphql'))).status).toBe(404);
  });

  it('counts operations by name and errors by code, by the expected amounts', async () => {
    const before = await scrape(metricsUrl);
    for (let i = 0; i < 3; i++) expect((await graphql(server.graphqlUrl, 'query MetricsProbe { checkpoints(first: 1) { totalCount } }')).status).toBe(200);
    // An unknown enum value in a variable: the caller's mistake, BAD_USER_INPUT.
    const bad = await graphql(server.graphqlUrl, 'query MetricsBadInput($kind: CheckpointStatus) { checkpoints(first: 1, status: $kind) { totalCount } }', { kind: 'NOT_A_KIND' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const after = await scrape(metricsUrl);
    // The first executes; the response cache answers the other two without executing, and counts them.
    const executed = (m: typeof before) => observations(m, 'graphql_envelop_phase_execute', { operationName: 'MetricsProbe', operationType: 'query' });
    const fromCache = (m: typeof before) => value(m, 'fangkong_response_cache_hits_total', { operationName: 'MetricsProbe' });
    expect(executed(after) - executed(before)).toBe(1);
    expect(fromCache(after) - fromCache(before)).toBe(2);
    const errors = (m: typeof before) => value(m, 'fangkong_graphql_errors_total', { code: 'BAD_USER_INPUT' });
    expect(errors(after) - errors(before)).toBe(1);
    const failed = (m: typeof before) => value(m, 'graphql_envelop_error_result', { operationName: 'MetricsBadInput' });
    expect(failed(after) - failed(before)).toBe(1);
  });

  it('shows subscriptions per field and transport, the messages they are sent, live computations and the outbox position', async () => {
    const client = wsClient(server.graphqlUrl);
    const viaWebSocket = collect(client, ZONE_SUBSCRIPTION, undefined, (d) => d.zoneSummary);
    const viaSse = sseSubscription(server.graphqlUrl, server.adminToken, ZONE_SUBSCRIPTION);
    try {
      await viaWebSocket.until(1, 20_000);
      await expect.poll(viaSse.messages, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
      const before = await scrape(metricsUrl);
      expect(value(before, 'fangkong_subscriptions_active', { field: 'zoneSummary', transport: 'websocket' })).toBe(1);
      expect(value(before, 'fangkong_subscriptions_active', { field: 'zoneSummary', transport: 'sse' })).toBe(1);
      expect(value(before, 'fangkong_websocket_connections')).toBe(1);

      const sent = viaWebSocket.values.length + viaSse.messages();
      const computed = observations(before, 'fangkong_live_value_computation_seconds', { value: 'zoneSummary', outcome: 'ok' });
      const result = await reportCounts(server.graphqlUrl, countsInput({ peopleScreened: 17, now: clock.now() }));
      expect(result.__typename).toBe('CheckpointReportPayload');
      const screened = viaWebSocket.values[0].checkpointTotals.peopleScreened + 17;
      await viaWebSocket.waitFor((zone) => zone.checkpointTotals.peopleScreened === screened);
      await expect.poll(viaSse.messages, { timeout: 15_000 }).toBeGreaterThan(sent - viaWebSocket.values.length);

      const after = await scrape(metricsUrl);
      const messages = value(after, 'fangkong_subscription_messages_sent_total') - value(before, 'fangkong_subscription_messages_sent_total');
      expect(messages).toBe(viaWebSocket.values.length + viaSse.messages() - sent);
      expect(observations(after, 'fangkong_live_value_computation_seconds', { value: 'zoneSummary', outcome: 'ok' })).toBeGreaterThan(computed);
      expect(value(after, 'fangkong_outbox_head_seq')).toBeGreaterThan(value(before, 'fangkong_outbox_head_seq'));
      await expect.poll(async () => value(await scrape(metricsUrl), 'fangkong_outbox_follower_lag_events')).toBe(0);
      expect(value(after, 'fangkong_outbox_follower_seq')).toBeGreaterThan(0);
    } finally {
      viaWebSocket.dispose();
      await viaSse.stop();
      await client.dispose();
    }
    await expect
      .poll(async () => {
        const metrics = await scrape(metricsUrl);
        return [value(metrics, 'fangkong_subscriptions_active', { field: 'zoneSummary' }), value(metrics, 'fangkong_websocket_connections')];
      })
      .toEqual([0, 0]);
  }, 60_000);

  it('counts rate-limit refusals', async () => {
    const token = await createToken({ FANGKONG_DATA_DIR: dir.path }, 'analyst', [], 'metrics rate limit');
    const before = await scrape(metricsUrl);
    const statuses: number[] = [];
    for (let i = 0; i < RATE_LIMIT + 2; i++) statuses.push((await graphql(server.graphqlUrl, '{ __typename }', undefined, { authorization: `Bearer ${token}` })).status);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2);
    const after = await scrape(metricsUrl);
    expect(value(after, 'fangkong_rate_limited_total') - value(before, 'fangkong_rate_limited_total')).toBe(2);
    expect(value(after, 'fangkong_graphql_errors_total', { code: 'RATE_LIMITED' }) - value(before, 'fangkong_graphql_errors_total', { code: 'RATE_LIMITED' })).toBe(2);
  });
});

describe.skipIf(!(await postgresReachable()) || !(await redisReachable()))('/metrics on PostgreSQL with Redis', () => {
  let server: RunningServer;
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('metrics');
    server = await startServer({ DATABASE_URL: database.url, REDIS_URL: redisUrl, FANGKONG_REDIS_PREFIX: runPrefix('metrics'), FANGKONG_METRICS_ADDRESS: '127.0.0.1:0' });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it('shows the connection pool and the Redis bus', async () => {
    expect((await graphql(server.graphqlUrl, '{ checkpoints(first: 1) { totalCount } }')).status).toBe(200);
    const metrics = await scrape(await metricsUrlOf(server));
    expect(value(metrics, 'fangkong_bus_connected', { kind: 'redis' })).toBe(1);
    expect(value(metrics, 'fangkong_database_pool_connections', { state: 'open' })).toBeGreaterThanOrEqual(1);
    expect(value(metrics, 'fangkong_database_pool_connections', { state: 'waiting' })).toBe(0);
  });

  it("shows each partner webhook endpoint: delivering, its lag and its failed attempts", async () => {
    // A partner whose system answers 500 to everything: the endpoint keeps trying, its lag grows.
    const receiver = createServer((_req, res) => res.writeHead(500).end());
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const registered = await graphql(
        server.graphqlUrl,
        `mutation($input: RegisterWebhookEndpointInput!) { registerWebhookEndpoint(input: $input) { __typename ... on RegisteredWebhookEndpoint { endpoint { id } } } }`,
        { input: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, label: 'metrics partner', eventTypes: ['CHECKPOINT_REPORT_REPORTED'] } },
      );
      expect(registered.data?.registerWebhookEndpoint.__typename).toBe('RegisteredWebhookEndpoint');
      for (let i = 0; i < 2; i++) expect((await reportCounts(server.graphqlUrl, countsInput({ peopleScreened: 3 }))).__typename).toBe('CheckpointReportPayload');
      const url = await metricsUrlOf(server);
      const labels = { label: 'metrics partner' };
      await expect.poll(async () => value(await scrape(url), 'fangkong_webhook_failed_attempts', labels), { timeout: 20_000 }).toBeGreaterThan(0);
      const metrics = await scrape(url);
      expect(value(metrics, 'fangkong_webhook_active', labels)).toBe(1);
      expect(value(metrics, 'fangkong_webhook_lag_events', labels)).toBe(2);
    } finally {
      receiver.close();
    }
  });

  it('names in the Grafana dashboard only metrics the server exports', async () => {
    const dashboard = readFileSync(join(repoRoot, 'server/grafana/fangkong-dashboard.json'), 'utf8');
    const named = new Set([...dashboard.matchAll(/\b((?:fangkong|graphql_envelop|nodejs|process)_\w+)/g)].map(([, name]) => name!.replace(/_(bucket|count|sum)$/, '')));
    const exported = await scrape(await metricsUrlOf(server));
    expect(named.size).toBeGreaterThan(10);
    for (const name of named) expect(exported.text, name).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
  });
});
