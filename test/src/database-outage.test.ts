import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedClock } from './support/clock.ts';
import { wsClient } from './support/live.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { tempDir } from './support/processes.ts';
import { countsInput, REPORT_CHECKPOINT } from './support/reporting.ts';
import { createToken, type RunningServer, startServer } from './support/server.ts';

/**
 * A TCP proxy in front of PostgreSQL that can be partitioned: while it is, bytes in either direction
 * are dropped and new connections are accepted but never reach the database, as when a network
 * path goes dark. Healing resets the connections that lost bytes (their streams are broken).
 */
interface PartitionableProxy {
  port: number;
  partition(): void;
  heal(): void;
  close(): Promise<void>;
}

async function partitionableProxy(target: URL): Promise<PartitionableProxy> {
  let partitioned = false;
  const pairs = new Set<[Socket, Socket]>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.on('data', (chunk) => partitioned || upstream.write(chunk));
    upstream.on('data', (chunk) => partitioned || client.write(chunk));
    const end = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.on('error', end);
      socket.on('close', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    partition: () => void (partitioned = true),
    heal() {
      partitioned = false;
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const [client, upstream] of pairs) {
          client.destroy();
          upstream.destroy();
        }
        server.close(() => resolve());
      }),
  };
}

const READ = '{ checkpoints(first: 2) { totalCount edges { node { slug today { peopleScreened } } } } }';
/** A read no answer is kept for (it reads the clock). */
const NOT_KEPT = '{ checkpoints(first: 2) { totalCount edges { node { slug isStale } } } }';

interface Answer {
  status: number;
  ms: number;
  retryAfter: string | null;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[]; extensions?: Record<string, any> };
}

async function post(url: string, token: string, q: string, variables?: Record<string, unknown>): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: q, variables }),
    signal: AbortSignal.timeout(20_000),
  });
  const body = (await response.json()) as Answer['body'];
  return { status: response.status, ms: Date.now() - started, retryAfter: response.headers.get('retry-after'), body };
}

/** One operation over a WebSocket that is already open; what came back, and how long it took. */
async function overWebSocket(client: Client, q: string, variables?: Record<string, unknown>) {
  const started = Date.now();
  const results: { data?: any; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }[] = [];
  let failure: unknown;
  try {
    for await (const result of client.iterate({ query: q, variables })) results.push(result as (typeof results)[number]);
  } catch (error) {
    failure = error;
  }
  return { results, failure, ms: Date.now() - started };
}

function expectUnavailable(answer: Answer, withinMs: number) {
  expect(answer.status, JSON.stringify(answer.body)).toBe(503);
  expect(answer.body.errors?.[0]?.extensions?.code).toBe('DATABASE_UNAVAILABLE');
  expect(answer.body.errors?.[0]?.message).toMatch(/database/i);
  expect(JSON.stringify(answer.body)).not.toMatch(/prisma|pg_|ECONN|P10\d\d|timeout exceeded|Connection terminated/i);
  expect(Number(answer.retryAfter)).toBeGreaterThan(0);
  expect(answer.ms).toBeLessThan(withinMs);
  timings.push(answer.ms);
}

/** How long each 503 took, printed per test for the record. */
const timings: number[] = [];

describe.skipIf(!(await postgresReachable()))('a database outage (PostgreSQL)', () => {
  let database: TestDatabase;
  let proxy: PartitionableProxy;
  let server: RunningServer;
  let operator: string;
  let analyst: string;
  let ws: Client;
  const dir = tempDir();
  const clock = pinnedClock('14:30');
  const name = () => new URL(database.url).pathname.slice(1);
  const admin = () => database.url.replace(/\/[^/]*$/, '/postgres');
  const refuseConnections = async () => {
    await query(admin(), `ALTER DATABASE "${name()}" WITH ALLOW_CONNECTIONS false`);
    await query(admin(), `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [name()]);
  };
  const allowConnections = () => query(admin(), `ALTER DATABASE "${name()}" WITH ALLOW_CONNECTIONS true`);
  const reportsWithKey = async (key: string) => (await query<{ n: number }>(database.url, `SELECT COUNT(*)::int AS n FROM "CheckpointReport" WHERE "idempotencyKey" = $1`, [key]))[0]!.n;
  const eventCount = async () => (await query<{ n: number }>(database.url, `SELECT COUNT(*)::int AS n FROM "Event"`))[0]!.n;
  const untilReadable = async () => {
    let last: Answer | undefined;
    for (let i = 0; i < 60; i++) {
      last = await post(server.graphqlUrl, server.adminToken, READ);
      if (last.status === 200 && !last.body.errors) return last;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`not readable again: ${JSON.stringify(last)}`);
  };

  /**
   * An answer the response cache keeps is still served while the database is away: it is as fresh as
   * the last event this instance saw, and nothing is written meanwhile (an instance that does write
   * evicts it from the store the instances share). Every other read needs the database.
   */
  const expectKept = async () => {
    const kept = await post(server.graphqlUrl, server.adminToken, READ);
    expect(kept.status, JSON.stringify(kept.body)).toBe(200);
    expect(kept.body.extensions?.responseCache).toMatchObject({ hit: true });
  };

  beforeAll(async () => {
    database = await createTestDatabase('outage');
    proxy = await partitionableProxy(new URL(database.url));
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    server = await startServer({ DATABASE_URL: proxied.toString(), FANGKONG_DATA_DIR: dir.path, FANGKONG_CLOCK_START: clock.start });
    operator = await createToken({ DATABASE_URL: database.url }, 'operator', ['fengshou-road'], 'outage operator');
    analyst = await createToken({ DATABASE_URL: database.url }, 'analyst', [], 'outage analyst');
    ws = wsClient(server.graphqlUrl);
  });
  afterAll(async () => {
    await ws?.dispose();
    await server?.stop();
    await proxy?.close();
    await allowConnections().catch(() => {});
    await database?.drop();
    dir.remove();
  });

  it('answers reads and writes 503 DATABASE_UNAVAILABLE within two seconds while the database refuses, then serves them again; the write is applied once', async () => {
    await untilReadable();
    const warm = await overWebSocket(ws, READ);
    expect(warm.results[0]?.data?.checkpoints.totalCount).toBeGreaterThan(0);
    const events = await eventCount();
    const input = countsInput({ now: clock.now(), peopleScreened: 41 });

    await refuseConnections();
    try {
      await expectKept();
      expectUnavailable(await post(server.graphqlUrl, server.adminToken, NOT_KEPT), 2000);
      // A token not seen before: verifying it needs the database too.
      expectUnavailable(await post(server.graphqlUrl, analyst, READ), 2000);
      expectUnavailable(await post(server.graphqlUrl, operator, REPORT_CHECKPOINT, { input }), 2000);

      // WebSocket: an error for that operation; the socket stays open for the next one.
      const read = await overWebSocket(ws, READ);
      expect(read.failure).toBeUndefined();
      expect(read.results[0]?.errors?.[0]?.extensions?.code).toBe('DATABASE_UNAVAILABLE');
      expect(read.ms).toBeLessThan(2000);
      console.info(`refused: 503 after ${[...timings.splice(0), read.ms].join(', ')} ms (HTTP read, HTTP read with a new token, HTTP write, WebSocket read)`);
    } finally {
      await allowConnections();
    }
    expect(await reportsWithKey(input.idempotencyKey)).toBe(0);
    expect(await eventCount()).toBe(events);

    await untilReadable();
    const again = await overWebSocket(ws, READ);
    expect(again.failure).toBeUndefined();
    expect(again.results[0]?.data?.checkpoints.totalCount).toBeGreaterThan(0);

    const retried = await post(server.graphqlUrl, operator, REPORT_CHECKPOINT, { input });
    expect(retried.body.data?.reportCheckpointCounts).toMatchObject({ __typename: 'CheckpointReportPayload', duplicate: false, report: { peopleScreened: 41 } });
    const twice = await post(server.graphqlUrl, operator, REPORT_CHECKPOINT, { input });
    expect(twice.body.data?.reportCheckpointCounts).toMatchObject({ duplicate: true });
    expect(await reportsWithKey(input.idempotencyKey)).toBe(1);
    expect(await eventCount()).toBe(events + 1);
  }, 120_000);

  it('answers quickly in a network partition too, and serves again once the network heals', async () => {
    await untilReadable();
    const input = countsInput({ now: clock.now(), peopleScreened: 23, idempotencyKey: randomUUID() });
    proxy.partition();
    try {
      await expectKept();
      expectUnavailable(await post(server.graphqlUrl, server.adminToken, NOT_KEPT), 3500);
      expectUnavailable(await post(server.graphqlUrl, operator, REPORT_CHECKPOINT, { input }), 3500);
      const read = await overWebSocket(ws, READ);
      expect(read.failure).toBeUndefined();
      expect(read.results[0]?.errors?.[0]?.extensions?.code).toBe('DATABASE_UNAVAILABLE');
      expect(read.ms).toBeLessThan(3500);
      console.info(`partition: 503 after ${[...timings.splice(0), read.ms].join(', ')} ms (HTTP read, HTTP write, WebSocket read)`);
      // The process itself stays responsive meanwhile.
      const started = Date.now();
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(200);
    } finally {
      proxy.heal();
    }
    await untilReadable();
    expect(await reportsWithKey(input.idempotencyKey)).toBe(0);
    const retried = await post(server.graphqlUrl, operator, REPORT_CHECKPOINT, { input });
    expect(retried.body.data?.reportCheckpointCounts).toMatchObject({ duplicate: false, report: { peopleScreened: 23 } });
    expect(await reportsWithKey(input.idempotencyKey)).toBe(1);
    // An outage is the server's condition, logged as a warning now and then, not an error per request.
    expect(server.output()).not.toMatch(/unexpected error|"level":"error"/i);
    expect(server.output()).toMatch(/database unavailable: answering 503/);
  }, 120_000);
});
