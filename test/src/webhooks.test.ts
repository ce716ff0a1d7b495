import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { globalId } from './support/ids.ts';
import { tempDir } from './support/processes.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { countsInput, reportCounts } from './support/reporting.ts';
import { createToken, graphql, startServer, type RunningServer } from './support/server.ts';
import { type Delivery, type Receiver, startReceiver } from './support/webhook-receiver.ts';

// Webhooks as a partner's receiver sees them: a real HTTP server that checks every signature,
// goes down, answers 500 at random, is slow while the server is SIGKILLed, and is fed by two
// instances at once. Every event arrives, in order; a repeat is only ever a redelivery of the same
// cursor.

const REGISTER = `mutation($input: RegisterWebhookEndpointInput!) {
  registerWebhookEndpoint(input: $input) {
    __typename
    ... on RegisteredWebhookEndpoint { secret endpoint { id cursor status role } }
    ... on ValidationError { issues { field message } }
    ... on Error { code message }
  }
}`;

const ENDPOINTS = `{ webhookEndpoints { id label status cursor delivered attempts lastError failingSince nextAttemptAt pauseReason lag } }`;

/** One endpoint's delivery state, as an admin queries it. */
async function endpointState(server: RunningServer, id: string): Promise<Record<string, any>> {
  const response = await graphql(server.graphqlUrl, ENDPOINTS);
  const found = (response.data?.webhookEndpoints as Record<string, any>[] | undefined)?.find((e) => e.id === id);
  if (!found) throw new Error(`no endpoint ${id}: ${JSON.stringify(response)}`);
  return found;
}

/**
 * Polls an endpoint's state until `done` holds: the database records a delivery just after the
 * receiver has answered it, so what the receiver saw is not yet what an admin reads.
 */
async function untilState(server: RunningServer, id: string, done: (state: Record<string, any>) => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = await endpointState(server, id);
    if (done(state)) return state;
    if (Date.now() > deadline) throw new Error(`${what}: ${JSON.stringify(state)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const RESUME = `mutation($id: ID!) { resumeWebhookEndpoint(endpointId: $id) { __typename ... on WebhookEndpointPayload { endpoint { status cursor } } ... on Error { code message } } }`;

/** Registers an endpoint on the receiver's `path` and tells the receiver its secret. */
async function register(server: RunningServer, receiver: Receiver, path: string, input: Record<string, unknown> = {}) {
  const response = await graphql(server.graphqlUrl, REGISTER, {
    input: { url: receiver.url(path), label: `partner ${path}`, eventTypes: ['CHECKPOINT_REPORT_REPORTED'], ...input },
  });
  const result = response.data?.registerWebhookEndpoint;
  if (result?.__typename !== 'RegisteredWebhookEndpoint') throw new Error(`register failed: ${JSON.stringify(response)}\n${server.output().slice(-3000)}`);
  receiver.secretFor(path, result.secret);
  return result.endpoint as { id: string; cursor: string };
}

const report = (server: RunningServer) => reportCounts(server.graphqlUrl, countsInput({ checkpoint: 'fengshou-road', peopleScreened: 20 }));

/** Reports `n` times, one after the other; the report ids in order. */
async function reportMany(server: RunningServer, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const result = await report(server);
    expect(result.__typename).toBe('CheckpointReportPayload');
    ids.push(result.report.id);
  }
  return ids;
}

const cursorsOf = (deliveries: Delivery[]) => deliveries.map((d) => d.cursor);
const ascending = (cursors: string[]) => cursors.every((c, i) => i === 0 || BigInt(c) > BigInt(cursors[i - 1]!));
/** Repeats only as the same cursor again right after itself (a redelivery), never out of order. */
const onlyRedeliveries = (cursors: string[]) => cursors.every((c, i) => i === 0 || BigInt(c) >= BigInt(cursors[i - 1]!));
const unique = (cursors: string[]) => [...new Set(cursors)];

describe('webhooks on the embedded database', () => {
  const dir = tempDir();
  let server: RunningServer;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    server = await startServer({ FANGKONG_DATA_DIR: dir.path, FANGKONG_WEBHOOK_RETRY_BASE_MS: '50', FANGKONG_WEBHOOK_RETRY_MAX_MS: '400' });
  });

  afterAll(async () => {
    await server?.stop();
    await receiver?.close();
    dir.remove();
  });

  it('POSTs each event, signed over timestamp and body, with its cursor, in order', async () => {
    const endpoint = await register(server, receiver, '/signed');
    const ids = await reportMany(server, 5);
    await receiver.until(() => receiver.accepted('/signed').length >= 5);
    const got = receiver.accepted('/signed');
    expect(got.every((d) => d.signed)).toBe(true);
    expect(got.map((d) => d.body.subjectId)).toEqual(ids);
    expect(ascending(cursorsOf(got))).toBe(true);
    expect(BigInt(got[0]!.cursor)).toBeGreaterThan(BigInt(endpoint.cursor));
    for (const d of got) {
      expect(d.body).toMatchObject({ endpointId: endpoint.id, cursor: d.cursor, type: 'checkpointReport:reported', subjectType: 'CheckpointReport' });
      expect(d.body.payload).toMatchObject({ checkpointId: 'fengshou-road', peopleScreened: 20 });
      expect(d.attempt).toBe(1);
    }
    // A receiver holding another secret would refuse every one of them.
    receiver.secretFor('/signed', 'not-the-secret-that-was-registered');
    await reportMany(server, 1);
    await receiver.until(() => receiver.accepted('/signed').length >= 6);
    expect(receiver.accepted('/signed')[5]!.signed).toBe(false);
  });

  it('refuses endpoints for events their role may not read, so personal data never leaves', async () => {
    const partner = await graphql(server.graphqlUrl, REGISTER, {
      input: { url: receiver.url('/x'), label: 'city', eventTypes: ['ISOLATION_CASE_OPENED', 'HEALTH_CHECK_RECORDED', 'TASK_ASSIGNED'] },
    });
    expect(partner.data?.registerWebhookEndpoint.__typename).toBe('ValidationError');
    expect(partner.data?.registerWebhookEndpoint.issues.map((i: { message: string }) => i.message)).toEqual([
      'PARTNER may not read isolationCase:opened events',
      'PARTNER may not read healthCheck:recorded events',
      'PARTNER may not read task:assigned events',
    ]);
    const health = await graphql(server.graphqlUrl, REGISTER, { input: { url: receiver.url('/x'), label: 'clinic', role: 'HEALTH', eventTypes: ['ISOLATION_CASE_OPENED'] } });
    expect(health.data?.registerWebhookEndpoint.issues).toEqual([{ field: 'areaId', message: 'health staff endpoints receive the compounds of one area: name it' }]);
    const bad = await graphql(server.graphqlUrl, REGISTER, { input: { url: 'ftp://city.example/', label: 'x', eventTypes: ['ALERT_RAISED'], secret: 'short' } });
    expect(bad.data?.registerWebhookEndpoint.issues.map((i: { field: string }) => i.field)).toEqual(['url', 'secret']);
  });

  it('only admins register endpoints or read their state', async () => {
    const partner = await createToken({ FANGKONG_DATA_DIR: dir.path }, 'partner', [], 'city');
    const analyst = await createToken({ FANGKONG_DATA_DIR: dir.path }, 'analyst', [], 'desk');
    for (const token of [partner, analyst]) {
      const headers = { authorization: `Bearer ${token}` };
      const listed = await graphql(server.graphqlUrl, ENDPOINTS, {}, headers);
      expect(listed.data ?? null).toBeNull();
      const registered = await graphql(server.graphqlUrl, REGISTER, { input: { url: receiver.url('/x'), label: 'x', eventTypes: ['ALERT_RAISED'] } }, headers);
      expect(registered.data?.registerWebhookEndpoint ?? null).toBeNull();
      expect(registered.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|PERSISTED_QUERY_ONLY/);
    }
  });

  it('an area endpoint receives only the events of its area', async () => {
    // 常绿·林溪谷's gate lies in 竹林路社区 (李万街道), not in 苏家作乡.
    const own = await register(server, receiver, '/zhulinlu', { areaId: globalId('Area', 'zhulinlu') });
    const other = await register(server, receiver, '/sujiazuo', { areaId: globalId('Area', 'sujiazuo') });
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const result = await reportCounts(server.graphqlUrl, countsInput({ checkpoint: 'linxigu-gate', peopleScreened: 9 }));
      ids.push(result.report.id);
    }
    await reportMany(server, 1); // 丰收路, the district itself: neither area's
    await receiver.until(() => receiver.accepted('/zhulinlu').length >= 2);
    expect(receiver.accepted('/zhulinlu').map((d) => d.body.subjectId)).toEqual(ids);
    // The other endpoint's cursor passes all three without sending any.
    const deliveredLast = BigInt(receiver.accepted('/zhulinlu')[1]!.cursor);
    await untilState(server, other.id, (e) => BigInt(e.cursor) > deliveredLast, 'the other area’s cursor did not pass the events');
    expect(receiver.deliveries.filter((d) => d.path === '/sujiazuo')).toEqual([]);
    expect((await endpointState(server, own.id)).delivered).toBe(2);
  });

  it('isolation events go only to a health endpoint of their area, never with the person', async () => {
    // The health staff of one compound (常绿·林溪谷), and of a township with no compound of the seed.
    await register(server, receiver, '/health-linxigu', { role: 'HEALTH', areaId: globalId('Area', 'changlv-linxigu'), eventTypes: ['ISOLATION_CASE_OPENED'] });
    await register(server, receiver, '/health-sujiazuo', { role: 'HEALTH', areaId: globalId('Area', 'sujiazuo'), eventTypes: ['ISOLATION_CASE_OPENED'] });
    const open = (compound: string, name: string) =>
      graphql(
        server.graphqlUrl,
        `mutation($c: ID!, $n: String!) { openIsolationCase(compoundId: $c, personName: $n, phone: "139-0000-4242", reason: "自湖北返乡", startedAt: "2020-02-05T10:00:00+08:00") { __typename ... on IsolationCasePayload { isolationCase { id } } } }`,
        { c: globalId('Area', compound), n: name },
      );
    // The other compound's case first: once the compound's own arrives, the other has been passed over.
    const elsewhere = await open('baida-jiayuan', '测试居民乙');
    const inArea = await open('changlv-linxigu', '测试居民甲');
    expect(inArea.data?.openIsolationCase.__typename).toBe('IsolationCasePayload');
    expect(elsewhere.data?.openIsolationCase.__typename).toBe('IsolationCasePayload');
    await receiver.until(() => receiver.accepted('/health-linxigu').length >= 1);
    const delivered = receiver.accepted('/health-linxigu');
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.body).toMatchObject({ type: 'isolationCase:opened', subjectId: inArea.data!.openIsolationCase.isolationCase.id, payload: { compoundId: 'changlv-linxigu' } });
    // The event names the case; the person's name and phone stay behind the API's field rules.
    const everything = JSON.stringify(receiver.deliveries.map((d) => d.body));
    for (const personal of ['测试居民', '139-0000-4242', '自湖北返乡']) expect(everything).not.toContain(personal);
    // Nothing for 苏家作乡's staff, and the partner endpoints of the other cases (checkpoint reports
    // only) never see isolation events.
    expect(receiver.deliveries.filter((d) => d.path === '/health-sujiazuo')).toEqual([]);
    expect(receiver.deliveries.filter((d) => d.type.startsWith('isolationCase:') && d.path !== '/health-linxigu')).toEqual([]);
  });
});

describe.skipIf(!(await postgresReachable()))('webhooks on PostgreSQL', () => {
  let database: TestDatabase;
  let receiver: Receiver;
  const servers: RunningServer[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: database.url,
    FANGKONG_WEBHOOK_RETRY_BASE_MS: '50',
    FANGKONG_WEBHOOK_RETRY_MAX_MS: '400',
    FANGKONG_WEBHOOK_TIMEOUT_MS: '2000',
    ...extra,
  });
  const start = async (extra?: Record<string, string>) => {
    const server = await startServer(env(extra));
    servers.push(server);
    return server;
  };
  const running = (s: RunningServer) => s.process.exitCode === null && s.process.signalCode === null;
  /** Every checkpoint report event after `cursor`, as the outbox holds them. */
  const eventsAfter = async (cursor: string) =>
    (await query<{ seq: string }>(database.url, `SELECT seq::text AS seq FROM "Event" WHERE type = 'checkpointReport:reported' AND seq > $1 ORDER BY seq`, [cursor])).map((r) => r.seq);

  beforeAll(async () => {
    database = await createTestDatabase('webhooks');
    receiver = await startReceiver();
  });

  afterEach(() => receiver.answerWith(() => 200));

  afterAll(async () => {
    for (const server of servers) if (running(server)) await server.stop();
    await receiver?.close();
    await database?.drop();
  });

  it('receiver down for a while: every event arrives once it is back, in order, once', async () => {
    const server = await start();
    const endpoint = await register(server, receiver, '/down');
    await receiver.down();
    await reportMany(server, 10);
    // Failing attempts are recorded and queryable meanwhile.
    const state = await untilState(server, endpoint.id, (e) => e.attempts >= 2, 'no failure recorded');
    expect(state).toMatchObject({ status: 'ACTIVE', lag: 10, delivered: 0 });
    expect(state.lastError).toMatch(/ECONNREFUSED|fetch failed/);
    await receiver.up();
    const expected = await eventsAfter(endpoint.cursor);
    expect(expected).toHaveLength(10);
    await receiver.until(() => receiver.accepted('/down').length >= 10);
    expect(cursorsOf(receiver.accepted('/down'))).toEqual(expected);
    expect(receiver.accepted('/down').every((d) => d.signed)).toBe(true);
    // Wait for the recorded cursor, not for lag 0: lag counts only final events (below the outbox
    // horizon), and the horizon may dip for a moment while another transaction of the cluster ends.
    const after = await untilState(server, endpoint.id, (e) => e.cursor === expected.at(-1), 'the last delivery was not recorded');
    expect(after).toMatchObject({ status: 'ACTIVE', attempts: 0, lag: 0, delivered: 10, cursor: expected.at(-1) });
    await server.stop();
  });

  it('receiver answering 500 at random: nothing missing, repeats only as redeliveries of one cursor', async () => {
    const server = await start();
    const endpoint = await register(server, receiver, '/flaky');
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    receiver.answerWith((d) => (d.path === '/flaky' && random() < 0.4 ? 500 : 200));
    await reportMany(server, 25);
    const expected = await eventsAfter(endpoint.cursor);
    await receiver.until(() => unique(cursorsOf(receiver.accepted('/flaky'))).length >= 25);
    const all = receiver.deliveries.filter((d) => d.path === '/flaky');
    expect(all.some((d) => d.status === 500)).toBe(true);
    expect(cursorsOf(receiver.accepted('/flaky'))).toEqual(expected);
    expect(onlyRedeliveries(cursorsOf(all))).toBe(true);
    // A redelivery says which attempt it is.
    expect(all.filter((d) => d.attempt > 1).length).toBe(all.filter((d) => d.status === 500).length);
    await server.stop();
  });

  it('SIGKILLed in the middle of deliveries: the restarted server resumes from the cursor', async () => {
    const victim = await start();
    const endpoint = await register(victim, receiver, '/killed');
    // A slow receiver, so the kill lands while deliveries are in flight.
    receiver.answerWith(async () => {
      await new Promise((r) => setTimeout(r, 150));
      return 200;
    });
    await reportMany(victim, 15);
    const expected = await eventsAfter(endpoint.cursor);
    await receiver.until(() => receiver.accepted('/killed').length >= 3);
    await victim.kill();
    const before = receiver.accepted('/killed').length;
    expect(before).toBeLessThan(15);
    await start();
    await receiver.until(() => unique(cursorsOf(receiver.accepted('/killed'))).length >= 15, 60_000);
    const got = cursorsOf(receiver.accepted('/killed'));
    expect(unique(got)).toEqual(expected);
    expect(onlyRedeliveries(got)).toBe(true);
    // At most the event in flight at the kill is delivered twice.
    expect(got.length - 15).toBeLessThanOrEqual(1);
  });

  it('two instances: each event is delivered once per endpoint', async () => {
    for (const server of servers) if (running(server)) await server.stop();
    const [a, b] = [await start(), await start()];
    const endpoints = [await register(a, receiver, '/two-1'), await register(b, receiver, '/two-2'), await register(a, receiver, '/two-3')];
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => report(i % 2 ? a : b)));
    expect(results.every((r) => r.__typename === 'CheckpointReportPayload')).toBe(true);
    for (const [i, endpoint] of endpoints.entries()) {
      const path = `/two-${i + 1}`;
      const expected = await eventsAfter(endpoint.cursor);
      expect(expected.length).toBeGreaterThanOrEqual(30);
      await receiver.until(() => receiver.accepted(path).length >= expected.length);
      expect(cursorsOf(receiver.accepted(path))).toEqual(expected);
    }
    // Both instances stay up: no endpoint is delivered to twice in the meantime either.
    await reportMany(a, 2);
    await receiver.until(() => receiver.accepted('/two-3').length >= 32);
    for (const path of ['/two-1', '/two-2', '/two-3']) expect(ascending(cursorsOf(receiver.accepted(path)))).toBe(true);
    await a.stop();
    await b.stop();
  });

  it('an endpoint failing too long is paused with a reason, others go on, and it resumes from its cursor', async () => {
    const server = await start({ FANGKONG_WEBHOOK_PAUSE_AFTER_MS: '1500' });
    const broken = await register(server, receiver, '/broken');
    await register(server, receiver, '/healthy');
    receiver.answerWith((d) => (d.path === '/broken' ? 503 : 200));
    await reportMany(server, 5);
    // The healthy endpoint does not wait for the broken one.
    await receiver.until(() => receiver.accepted('/healthy').length >= 5);
    const state = await untilState(server, broken.id, (e) => e.status === 'PAUSED', 'the broken endpoint was not paused');
    expect(state.pauseReason).toMatch(/^failed for \d+ s \(\d+ attempts at event \d+; last: HTTP 503\)$/);
    expect(state).toMatchObject({ lag: 5, lastError: 'HTTP 503' });
    // Its cursor passed only events not of its types (the other endpoint's registration).
    const firstReport = (await eventsAfter(broken.cursor))[0]!;
    expect(BigInt(state.cursor)).toBeLessThan(BigInt(firstReport));
    expect(receiver.accepted('/broken')).toEqual([]);
    // Repaired and resumed: everything from the cursor, in order.
    receiver.answerWith(() => 200);
    await reportMany(server, 1);
    const resumed = await graphql(server.graphqlUrl, RESUME, { id: broken.id });
    expect(resumed.data?.resumeWebhookEndpoint).toMatchObject({ __typename: 'WebhookEndpointPayload', endpoint: { status: 'ACTIVE', cursor: state.cursor } });
    const expected = await eventsAfter(broken.cursor);
    expect(expected).toHaveLength(6);
    await receiver.until(() => receiver.accepted('/broken').length >= 6);
    expect(cursorsOf(receiver.accepted('/broken'))).toEqual(expected);
    expect(cursorsOf(receiver.accepted('/healthy'))).toEqual(expected);
    const audited = await query(database.url, `SELECT action, actor FROM "AuditEntry" WHERE "entityType" = 'WebhookEndpoint' AND "entityId" = $1 ORDER BY at`, [Buffer.from(broken.id, 'base64').toString().split(':')[1]]);
    expect(audited.map((a) => `${a.action} ${a.actor}`)).toEqual(['webhookEndpoint:registered admin:test admin', 'webhookEndpoint:paused webhooks:deliverer', 'webhookEndpoint:resumed admin:test admin']);
    const secrets = await query(database.url, `SELECT count(*)::int AS n FROM "AuditEntry" WHERE "entityType" = 'WebhookEndpoint' AND (before::text LIKE '%whsec_%' OR after::text LIKE '%whsec_%')`);
    expect(secrets[0]!.n).toBe(0);
    await server.stop();
  });
});
