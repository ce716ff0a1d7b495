import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { globalId } from './support/ids.ts';
import { collect, wsClient, type Collected } from './support/live.ts';
import { tempDir } from './support/processes.ts';
import { pinnedClock } from './support/clock.ts';
import { countsInput as countsInputAt, reportCounts } from './support/reporting.ts';
import { createToken, startServer, type RunningServer } from './support/server.ts';

// Fan-out (issue 21): subscribers of the same operation, variables and access scope share one
// execution per update; different roles never share; a subscriber may ask to be paced slower.
// Executions are observed from outside: with FANGKONG_TRACE_SQL=1 the server logs one
// `live execution` line per execution of a live value, with the SQL statements it sent.

const clock = pinnedClock('14:30');
const countsInput = (input: Parameters<typeof countsInputAt>[0] = {}) => countsInputAt({ now: clock.now(), ...input });

const SHARED = `subscription Shared($ids: [ID!]) { checkpointCounts(checkpointIds: $ids) { checkpoint { slug name } today { peopleScreened } asOf asOfSeq } }`;
const SCOPED = `subscription Scoped($ids: [ID!]) { checkpointCounts(checkpointIds: $ids) { checkpoint { slug reports(first: 1) { totalCount } } today { peopleScreened } } }`;
const PACED = `subscription Paced($every: Int) { zoneSummary(minIntervalMs: $every) { checkpointTotals { peopleScreened } asOf } }`;

/** The `live execution` log lines of one operation so far, each with its statement count. */
function executions(server: RunningServer, operation: string): { statements: number }[] {
  return server
    .output()
    .split('\n')
    .filter((line) => line.includes('"msg":"live execution"') && line.includes(`"operation":"${operation}"`))
    .map((line) => JSON.parse(line) as { statements: number });
}

describe('live fan-out', () => {
  const dir = tempDir('fangkong-fanout-');
  let server: RunningServer;
  const env = () => ({ FANGKONG_DATA_DIR: dir.path, FANGKONG_TRACE_SQL: '1', FANGKONG_CLOCK_START: clock.start });

  beforeAll(async () => {
    server = await startServer(env());
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('runs one execution per update for 26 subscribers of the same subscription over WebSocket and both SSE transports, and every one gets the update', async () => {
    const ids = [globalId('Checkpoint', 'fengshou-road')];
    const sockets = Array.from({ length: 4 }, () => wsClient(server.url));
    const sse = createSseClient({ url: `${server.url}/graphql/stream`, headers: { authorization: `Bearer ${server.adminToken}` }, retryAttempts: 0 });
    const subscribers: Collected<any>[] = [];
    try {
      for (const socket of sockets) for (let i = 0; i < 5; i++) subscribers.push(collect(socket, SHARED, { ids }, (d) => d.checkpointCounts));
      for (let i = 0; i < 4; i++) subscribers.push(collectSse(sse, SHARED, { ids }, 'Shared'));
      for (let i = 0; i < 2; i++) subscribers.push(collectYogaSse(server, SHARED, { ids }));
      const snapshots = await Promise.all(subscribers.map((s) => s.until(1, 30_000).then((values) => values[0])));
      // Everyone's snapshot is the same value: one computation, one execution for all 26.
      expect(new Set(snapshots.map((s) => s.asOf)).size).toBe(1);
      expect(executions(server, 'Shared').length).toBe(1);
      const before = snapshots[0].today.peopleScreened;

      const result = await reportCounts(server.graphqlUrl, countsInput({ checkpoint: 'fengshou-road', peopleScreened: 41 }));
      expect(result.__typename).toBe('CheckpointReportPayload');
      const updates = await Promise.all(subscribers.map((s) => s.waitFor((u) => u.today.peopleScreened === before + 41, 30_000)));
      expect(updates.every((u) => u.checkpoint.slug === 'fengshou-road' && u.checkpoint.name === snapshots[0].checkpoint.name)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 500));

      // One execution per distinct value delivered (the report's update, and at most a clock refresh), not one per subscriber.
      const values = new Set(subscribers.flatMap((s) => s.values.map((v) => v.asOf)));
      const runs = executions(server, 'Shared');
      expect(runs.length).toBe(values.size);
      expect(runs.length).toBeLessThanOrEqual(3);
      // The reference row (checkpoint { slug name }) comes with the shared value: no statement per execution.
      expect(runs.every((r) => r.statements === 0)).toBe(true);
    } finally {
      for (const s of subscribers) s.dispose();
      sse.dispose();
      await Promise.all(sockets.map((s) => s.dispose()));
    }
  }, 90_000);

  it('never shares across roles: a display subscribed beside an admin to the same document is refused what only the admin may see', async () => {
    const ids = [globalId('Checkpoint', 'lubao-market')];
    const displayToken = await createToken(env(), 'display', [], 'fan-out display');
    const operatorToken = await createToken(env(), 'operator', ['lubao-market'], 'fan-out operator');
    const admin = wsClient(server.url);
    const display = wsClient(server.url, { token: displayToken });
    const operator = wsClient(server.url, { token: operatorToken });
    const asAdmin = collect(admin, SCOPED, { ids }, (d) => d.checkpointCounts);
    const asDisplay = collect(display, SCOPED, { ids }, (d) => d.checkpointCounts);
    const asOperator = collect(operator, SCOPED, { ids }, (d) => d.checkpointCounts);
    try {
      const [first] = await asAdmin.until(1, 30_000);
      await until(() => asDisplay.errors.length >= 1);
      const result = await reportCounts(server.graphqlUrl, countsInput({ checkpoint: 'lubao-market', peopleScreened: 9 }));
      expect(result.__typename).toBe('CheckpointReportPayload');
      const adminAfter = await asAdmin.waitFor((u) => u.today.peopleScreened === first.today.peopleScreened + 9, 30_000);
      // Reports are records: the admin sees their count; the display, subscribed to the same
      // document, gets a FORBIDDEN error for them with every update (the snapshot and the change), never the data.
      await until(() => asDisplay.errors.length >= 2);
      expect(adminAfter.checkpoint.reports.totalCount).toBeGreaterThan(0);
      expect(asAdmin.errors).toEqual([]);
      expect(asDisplay.values).toEqual([]);
      expect(asDisplay.errors.every((e) => JSON.stringify(e).includes('FORBIDDEN') && JSON.stringify(e).includes('Checkpoint.reports'))).toBe(true);
      // An operator has no aggregates at all: refused, whoever else is subscribed.
      await asOperator.completed;
      expect(asOperator.values).toEqual([]);
      expect(JSON.stringify(asOperator.errors)).toContain('FORBIDDEN');
    } finally {
      for (const s of [asAdmin, asDisplay, asOperator]) s.dispose();
      await Promise.all([admin, display, operator].map((c) => c.dispose()));
    }
  }, 90_000);

  it('paces a subscriber that asks for a slower interval, and never one faster than the server default', async () => {
    const client = wsClient(server.url);
    const slow = collect(client, PACED, { every: 2000 }, (d) => d.zoneSummary);
    const eager = collect(client, PACED, { every: 10 }, (d) => d.zoneSummary);
    const usual = collect(client, PACED, {}, (d) => d.zoneSummary);
    try {
      await Promise.all([slow.until(1, 30_000), eager.until(1, 30_000), usual.until(1, 30_000)]);
      // 8 reports 300 ms apart: 2.4 s of changes.
      for (let i = 0; i < 8; i++) {
        const result = await reportCounts(server.graphqlUrl, countsInput({ checkpoint: 'fengshou-road', peopleScreened: 1 }));
        expect(result.__typename).toBe('CheckpointReportPayload');
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
      await new Promise((resolve) => setTimeout(resolve, 800));
      const total = usual.values.at(-1).checkpointTotals.peopleScreened;
      expect(total).toBe(usual.values[0].checkpointTotals.peopleScreened + 8);
      await slow.waitFor((u) => u.checkpointTotals.peopleScreened === total, 10_000);
      await eager.waitFor((u) => u.checkpointTotals.peopleScreened === total, 10_000);
      // Each one ends on the same figures; the slow one got them at least 2 s apart, the eager one no closer than the server's 250 ms.
      const gaps = (values: { asOf: string }[]) => values.slice(1).map((v, i) => Date.parse(v.asOf) - Date.parse(values[i]!.asOf));
      expect(slow.values.length).toBeGreaterThanOrEqual(2);
      expect(Math.min(...gaps(slow.values))).toBeGreaterThanOrEqual(1900);
      expect(Math.min(...gaps(eager.values))).toBeGreaterThanOrEqual(240);
      expect(usual.values.length).toBeGreaterThan(slow.values.length);
    } finally {
      for (const s of [slow, eager, usual]) s.dispose();
      await client.dispose();
    }
  }, 90_000);
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('a WebSocket that stops reading', () => {
  const dir = tempDir('fangkong-fanout-slow-');
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ FANGKONG_DATA_DIR: dir.path, FANGKONG_WS_KEEPALIVE_MS: '1500', FANGKONG_CLOCK_START: clock.start });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('is closed with 4413 and a reason saying how to resume, while a reading one on the same server goes on', async () => {
    const open = async () => {
      const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      const messages: { type: string }[] = [];
      socket.on('message', (data) => messages.push(JSON.parse(String(data))));
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${server.adminToken}` } }));
      await until(() => messages.some((m) => m.type === 'connection_ack'));
      socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { events { cursor } }' } }));
      const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
      return { socket, closed };
    };
    const slow = await open();
    const reading = await open();
    // The slow consumer's client stops reading its socket: pings (and anything else) wait unread.
    (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    await new Promise((resolve) => setTimeout(resolve, 4500));
    (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.resume();
    const { code, reason } = await slow.closed;
    expect(code).toBe(4413);
    expect(reason).toMatch(/too slow.*resume.*cursor/i);
    expect(reading.socket.readyState).toBe(WebSocket.OPEN);
    reading.socket.close();
    await reading.closed;
  }, 150_000);
});

/** A subscription over Yoga's SSE on /graphql (Accept: text/event-stream), collected like `collect`. */
function collectYogaSse(server: RunningServer, query: string, variables: Record<string, unknown>): Collected<any> {
  const controller = new AbortController();
  const values: any[] = [];
  const errors: unknown[] = [];
  let resolveCompleted!: () => void;
  const completed = new Promise<void>((r) => (resolveCompleted = r));
  void (async () => {
    try {
      const response = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${server.adminToken}` },
        body: JSON.stringify({ query, variables }),
        signal: controller.signal,
      });
      const decoder = new TextDecoder();
      let buffered = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffered += decoder.decode(chunk, { stream: true });
        let end = buffered.indexOf('\n\n');
        while (end >= 0) {
          const data = buffered
            .slice(0, end)
            .split('\n')
            .filter((line) => line.startsWith('data: '))
            .map((line) => line.slice(6))
            .join('');
          buffered = buffered.slice(end + 2);
          if (data) {
            const result = JSON.parse(data);
            if (result.errors) errors.push(result.errors);
            if (result.data) values.push(result.data.checkpointCounts);
          }
          end = buffered.indexOf('\n\n');
        }
      }
    } catch (error) {
      if (!controller.signal.aborted) errors.push(String(error));
    } finally {
      resolveCompleted();
    }
  })();
  const waitFor = async (predicate: (value: any) => boolean, timeoutMs = 15_000) => {
    await until(() => values.some(predicate), timeoutMs);
    return values.find(predicate);
  };
  return { values, errors, until: (count, timeoutMs) => waitFor(() => values.length >= count, timeoutMs).then(() => values), waitFor, dispose: () => controller.abort(), completed };
}

/** A subscription over graphql-sse (distinct connections), collected like `collect`. */
function collectSse(client: ReturnType<typeof createSseClient>, query: string, variables: Record<string, unknown>, operationName: string): Collected<any> {
  const values: any[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  let resolveCompleted!: () => void;
  const completed = new Promise<void>((r) => (resolveCompleted = r));
  const dispose = client.subscribe<any>(
    { query, variables, operationName },
    {
      next: (result) => {
        if (result.errors) errors.push(result.errors);
        if (result.data) values.push(result.data.checkpointCounts);
        for (const wake of waiters) wake();
      },
      error: (error) => {
        errors.push(error);
        resolveCompleted();
      },
      complete: () => resolveCompleted(),
    },
  );
  const waitFor = (predicate: (value: any) => boolean, timeoutMs = 15_000) =>
    new Promise<any>((resolve, reject) => {
      const check = () => {
        const hit = values.find(predicate);
        if (hit !== undefined) {
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        }
      };
      const timer = setTimeout(() => reject(new Error(`SSE: timed out; ${values.length} values, errors ${JSON.stringify(errors)}`)), timeoutMs);
      waiters.add(check);
      check();
    });
  return { values, errors, until: (count, timeoutMs) => waitFor(() => values.length >= count, timeoutMs).then(() => values), waitFor, dispose, completed };
}
