import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedClock } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { collect, wsClient } from './support/live.ts';
import { tempDir } from './support/processes.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string } }[];
}

/** An OTLP/HTTP collector as an operator would run one: it takes what the server exports and keeps the spans. */
async function startCollector() {
  const spans: ExportedSpan[] = [];
  const services = new Set<string>();
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type']?.startsWith('application/json')) {
        for (const resource of JSON.parse(body).resourceSpans ?? []) {
          for (const attribute of resource.resource?.attributes ?? []) if (attribute.key === 'service.name') services.add(attribute.value.stringValue);
          for (const scope of resource.scopeSpans ?? []) spans.push(...scope.spans);
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, services, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const attribute = (span: ExportedSpan, key: string) => span.attributes.find((a) => a.key === key)?.value.stringValue;

describe('traces, request ids and what the logs never hold', () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let server: RunningServer;
  let dir: ReturnType<typeof tempDir>;
  const clock = pinnedClock('14:30');
  const env = () => ({ FANGKONG_DATA_DIR: dir.path });

  beforeAll(async () => {
    collector = await startCollector();
    dir = tempDir('tracing');
    server = await startServer({
      FANGKONG_DATA_DIR: dir.path,
      FANGKONG_CLOCK_START: clock.start,
      LOG_LEVEL: 'debug',
      FANGKONG_RATE_LIMIT: '3',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_SERVICE_NAME: 'fangkong-under-test',
      OTEL_BSP_SCHEDULE_DELAY: '100',
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    await collector?.close();
    dir?.remove();
  });

  it("exports a span per operation, under the caller's trace, with a span per SQL statement beneath it", async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.adminToken}`, 'x-request-id': 'trace-test-1', traceparent: `00-${traceId}-${callerSpan}-01` },
      body: JSON.stringify({ query: 'query TracedCheckpoints { checkpoints(first: 3) { totalCount edges { node { name area { name } } } } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-test-1');

    await expect.poll(() => collector.spans.some((span) => span.traceId === traceId && span.name === 'query.TracedCheckpoints'), { timeout: 15_000 }).toBe(true);
    const operation = collector.spans.find((span) => span.traceId === traceId && span.name === 'query.TracedCheckpoints')!;
    expect(operation.parentSpanId).toBe(callerSpan);
    expect(attribute(operation, 'graphql.execute.operationName')).toBe('TracedCheckpoints');
    // The operation's statements beneath it; those of authenticating the caller, before the
    // operation starts, directly under the caller's span. Text with placeholders, never values.
    const underOperation = () => collector.spans.filter((span) => span.traceId === traceId && span.name === 'db.statement' && span.parentSpanId === operation.spanId);
    await expect.poll(() => underOperation().length, { timeout: 15_000 }).toBeGreaterThan(0);
    for (const statement of collector.spans.filter((span) => span.traceId === traceId && span.name === 'db.statement')) {
      expect([operation.spanId, callerSpan]).toContain(statement.parentSpanId);
      expect(attribute(statement, 'db.statement')).toMatch(/^\s*(SELECT|WITH|INSERT|UPDATE)/i);
    }
    expect(underOperation().map((span) => attribute(span, 'db.statement')).join('\n')).toMatch(/"Checkpoint"/);
    expect([...collector.services]).toEqual(['fangkong-under-test']);
  });

  it("writes the request id and the trace id on the log lines of that request; a caller's malformed id is replaced", async () => {
    const token = await createToken(env(), 'analyst', [], 'tracing rate limit');
    const traceId = randomBytes(16).toString('hex');
    const headers = { authorization: `Bearer ${token}`, 'x-request-id': 'trace-test-limited', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await graphql(server.graphqlUrl, '{ __typename }', undefined, headers)).status);
    expect(statuses.at(-1)).toBe(429);
    await expect.poll(() => server.output().split('\n').find((line) => line.includes('"msg":"rate limited"') && line.includes('"requestId":"trace-test-limited"'))).toBeTruthy();
    const line = JSON.parse(server.output().split('\n').find((l) => l.includes('"msg":"rate limited"') && l.includes('"requestId":"trace-test-limited"'))!);
    expect(line.traceId).toBe(traceId);

    const odd = await fetch(`${server.url}/health`, { headers: { 'x-request-id': 'not an id; with spaces' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never writes a token or personal data to the log, whatever happened (a run at debug level)', async () => {
    const health = await createToken(env(), 'health', ['zhulinlu'], 'tracing health');
    const display = await createToken(env(), 'display', [], 'tracing display');
    const opened = await graphql(
      server.graphqlUrl,
      'mutation($c: ID!) { openIsolationCase(compoundId: $c, personName: "日志测试乙", phone: "139-0000-7311", reason: "自湖北返乡", startedAt: "2020-02-05T10:00:00+08:00") { __typename ... on IsolationCasePayload { isolationCase { id } } } }',
      { c: globalId('Area', 'jinshan-dongfang') },
    );
    expect(opened.data?.openIsolationCase.__typename).toBe('IsolationCasePayload');
    // Reads of personal data by roles that may and may not, a bad variable, an unknown token, a WebSocket.
    await graphql(server.graphqlUrl, '{ isolationCases(first: 5) { edges { node { personName phone } } } }');
    await graphql(server.graphqlUrl, '{ isolationCases(first: 5) { edges { node { personName phone } } } }', undefined, { authorization: `Bearer ${health}` });
    await graphql(server.graphqlUrl, '{ isolationCases(first: 5) { edges { node { personName phone } } } }', undefined, { authorization: `Bearer ${display}` });
    await graphql(server.graphqlUrl, 'query($p: String!) { __typename }', { p: '日志测试乙 139-0000-7311' });
    const forged = `fk_${randomBytes(32).toString('base64url').slice(0, 43)}`;
    expect((await graphql(server.graphqlUrl, '{ __typename }', undefined, { authorization: `Bearer ${forged}` })).status).toBe(401);
    const client = wsClient(server.graphqlUrl, { token: health });
    const live = collect(client, 'subscription { events { __typename } }');
    await new Promise((resolve) => setTimeout(resolve, 500));
    live.dispose();
    await client.dispose();

    // Nor to the traces: the mutation's span is there, its literals are not.
    await expect.poll(() => collector.spans.some((span) => span.name === 'mutation.anonymous'), { timeout: 15_000 }).toBe(true);
    const exported = JSON.stringify(collector.spans);
    for (const personal of ['日志测试乙', '139-0000-7311']) expect(exported.includes(personal), 'a span holds personal data').toBe(false);

    const log = server.output();
    expect(log.length).toBeGreaterThan(1000);
    for (const secret of [server.adminToken, health, display, forged, health.slice(3, 20), '日志测试乙', '139-0000-7311', '13900007311']) {
      expect(log.includes(secret), `the log holds ${secret.slice(0, 6)}…`).toBe(false);
    }
  });
});
