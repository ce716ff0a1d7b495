import { randomUUID } from 'node:crypto';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { globalId } from './support/ids.ts';
import { collect, wsClient } from './support/live.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { redisCommand, redisReachable, redisUrl, runPrefix } from './support/redis.ts';
import { pinnedClock, shanghaiDay } from './support/clock.ts';
import { countsInput as countsInputAt, freshPeriod, reportCounts } from './support/reporting.ts';
import { graphql, startServer, type RunningServer } from './support/server.ts';

const TODAY = `checkpointCounts(checkpointIds: $ids) { checkpoint { slug } today { peopleScreened feverCases reports } lastReportAt asOfSeq }`;
const CHECKPOINT_COUNTS = `subscription($ids: [ID!]) { ${TODAY} }`;
const EVENTS = `subscription($after: String, $types: [EventType!]) { events(after: $after, types: $types) { cursor seq type subjectId } }`;
const OUTPUT = `mutation($input: ReportProductionOutputInput!) { reportProductionOutput(input: $input) { __typename ... on Error { code message } } }`;
const ZONE = `subscription { zoneSummary { checkpointTotals { peopleScreened feverCases reports } peopleUnderIsolation asOfSeq } }`;

// The servers' clock is pinned to the middle of a local day, so "the last hour" reported is always
// today, whatever hour the suite runs at (just after local midnight it would be yesterday's).
const clock = pinnedClock('14:30');
const countsInput = (input: Parameters<typeof countsInputAt>[0] = {}) => countsInputAt({ now: clock.now(), ...input });
const freshPeriodAt = () => freshPeriod(clock.now());

/** Today's total in the database, today being the servers' (pinned) local day. */
const dbTotal = async (url: string, checkpoint: string) => {
  const day = shanghaiDay(clock.now());
  const [row] = await query(
    url,
    `SELECT COALESCE(SUM("peopleScreened"),0)::int AS n FROM "CheckpointReport"
     WHERE "checkpointId" = $1 AND "supersededAt" IS NULL AND "periodStart" >= $2::timestamptz AND "periodStart" < $2::timestamptz + interval '1 day'`,
    [checkpoint, `${day}T00:00:00+08:00`],
  );
  return Number(row!.n);
};

const live = (await postgresReachable()) && (await redisReachable());

describe.skipIf(!live)('live data across instances (PostgreSQL + Redis)', () => {
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  const prefix = runPrefix('live');
  const env = () => ({ DATABASE_URL: database.url, REDIS_URL: redisUrl, FANGKONG_REDIS_PREFIX: prefix, FANGKONG_WS_INIT_TIMEOUT_MS: '1000', FANGKONG_CLOCK_START: clock.start });

  beforeAll(async () => {
    database = await createTestDatabase('live');
    a = await startServer(env());
    b = await startServer(env());
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  describe('subscriptions', () => {
    it('sends a snapshot first, then the change: a report on instance A reaches a subscriber on instance B', async () => {
      const client = wsClient(b.url);
      const updates = collect(client, CHECKPOINT_COUNTS, { ids: [globalId('Checkpoint', 'fengshou-road')] }, (d) => d.checkpointCounts);
      try {
        const [snapshot] = await updates.until(1);
        const result = await reportCounts(a.graphqlUrl, countsInput({ checkpoint: 'fengshou-road', peopleScreened: 37, feverCases: 1 }));
        expect(result.__typename).toBe('CheckpointReportPayload');
        const after = await updates.waitFor((u) => u.today.peopleScreened === snapshot.today.peopleScreened + 37);
        expect(after.today.feverCases).toBe(snapshot.today.feverCases + 1);
        expect(BigInt(after.asOfSeq)).toBeGreaterThan(BigInt(snapshot.asOfSeq));
      } finally {
        updates.dispose();
        await client.dispose();
      }
    });

    it('delivers the zone summary snapshot equal to the query, then updates that converge on the database', async () => {
      const client = wsClient(a.url);
      const zone = collect(client, ZONE, undefined, (d) => d.zoneSummary);
      try {
        const [first] = await zone.until(1);
        const queried = (await graphql(a.graphqlUrl, `{ zoneSummary { checkpointTotals { peopleScreened feverCases reports } peopleUnderIsolation asOfSeq } }`)).data!.zoneSummary;
        // No report is written between the snapshot and the query (this file's writes are awaited), so
        // their figures agree. Other events may come between (the alert rules act on the earlier fever
        // report by themselves): the query's position is the snapshot's or later.
        const { asOfSeq: snapshotSeq, ...figures } = first;
        const { asOfSeq: querySeq, ...queriedFigures } = queried;
        expect(figures).toEqual(queriedFigures);
        expect(BigInt(querySeq)).toBeGreaterThanOrEqual(BigInt(snapshotSeq));
        // 20 reports in a burst: updates are coalesced (at most one per 250 ms) but the last one is exact.
        await Promise.all(Array.from({ length: 20 }, () => reportCounts(b.graphqlUrl, countsInput({ checkpoint: 'lubao-market', peopleScreened: 5 }))));
        const expected = first.checkpointTotals.peopleScreened + 100;
        await zone.waitFor((z) => z.checkpointTotals.peopleScreened === expected);
        expect(zone.values.length).toBeLessThan(21);
      } finally {
        zone.dispose();
        await client.dispose();
      }
    });

    it('computes each wall summary from the parts it asks, and renews it only on events that can change them', async () => {
      const client = wsClient(a.url);
      const checkpoints = collect(client, `subscription { zoneSummary { checkpointTotals { peopleScreened reports } asOfSeq } }`, undefined, (d) => d.zoneSummary);
      const production = collect(client, `subscription { zoneSummary { production { byProduct { figures { produced } } } asOfSeq } }`, undefined, (d) => d.zoneSummary);
      const produced = (z: { production: { byProduct: { figures: { produced: number } }[] } }) => z.production.byProduct.reduce((sum, p) => sum + p.figures.produced, 0);
      try {
        const [cp] = await checkpoints.until(1);
        const [pr] = await production.until(1);
        // Each value holds only what it asked: the checkpoint wall's figures, the production wall's.
        expect(Object.keys(cp!).sort()).toEqual(['asOfSeq', 'checkpointTotals']);
        const output = await graphql(b.graphqlUrl, OUTPUT, {
          input: { lineId: globalId('ProductionLine', 'mingren-mingkang-line-1'), ...freshPeriodAt(), produced: 10, passedQc: 9, idempotencyKey: randomUUID() },
        });
        expect(output.data?.reportProductionOutput.__typename, JSON.stringify(output)).toBe('OutputReportPayload');
        await production.waitFor((z) => produced(z) === produced(pr!) + 10);
        const report = await reportCounts(b.graphqlUrl, countsInput({ checkpoint: 'lubao-market', peopleScreened: 11 }));
        expect(report.__typename).toBe('CheckpointReportPayload');
        await checkpoints.waitFor((z) => z.checkpointTotals.reports === cp!.checkpointTotals.reports + 1);
        // The output report made no new checkpoint figures: the snapshot, then the report's update.
        expect(checkpoints.values.map((z) => z.checkpointTotals.peopleScreened)).toEqual([cp!.checkpointTotals.peopleScreened, cp!.checkpointTotals.peopleScreened + 11]);
        await new Promise((resolve) => setTimeout(resolve, 600));
        // …and the checkpoint report no new production figures.
        expect(production.values.map(produced)).toEqual([produced(pr!), produced(pr!) + 10]);
      } finally {
        checkpoints.dispose();
        production.dispose();
        await client.dispose();
      }
    });

    it('resumes the events stream by cursor: exactly the 100 reports made while away, in order', async () => {
      const client = wsClient(a.url);
      const first = collect(client, EVENTS, { types: ['CHECKPOINT_REPORT_REPORTED'] }, (d) => d.events);
      // Without a cursor the stream starts live when the subscription reaches the server, which a
      // report (one round trip to the database) may beat: report a marker until one arrives, then
      // resume after the last one seen.
      const markers: string[] = [];
      for (let attempt = 0; attempt < 10 && !first.values.length; attempt++) {
        markers.push((await reportCounts(a.graphqlUrl, countsInput({ checkpoint: 'jinshan-gate', peopleScreened: 1 }))).report.id);
        await first.until(1, 2000).catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 300));
      const seen = first.values.at(-1);
      expect(seen?.subjectId).toBe(markers.at(-1));
      first.dispose();
      await client.dispose();

      const made: string[] = [];
      for (let i = 0; i < 100; i++) made.push((await reportCounts(i % 2 ? a.graphqlUrl : b.graphqlUrl, countsInput({ checkpoint: 'jinshan-gate', peopleScreened: i }))).report.id);

      const again = wsClient(b.url);
      const resumed = collect(again, EVENTS, { after: seen.cursor, types: ['CHECKPOINT_REPORT_REPORTED'] }, (d) => d.events);
      try {
        const events = await resumed.until(100);
        await new Promise((r) => setTimeout(r, 300));
        expect(resumed.values).toHaveLength(100);
        expect(events.map((e) => e.subjectId)).toEqual(made);
        const seqs = events.map((e) => BigInt(e.seq));
        expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
      } finally {
        resumed.dispose();
        await again.dispose();
      }
    });

    it('converges on the database when Redis drops its pub/sub connections mid-stream', async () => {
      const client = wsClient(b.url);
      const updates = collect(client, CHECKPOINT_COUNTS, { ids: [globalId('Checkpoint', 'binhe-gate')] }, (d) => d.checkpointCounts);
      try {
        await updates.until(1);
        for (let i = 0; i < 30; i++) {
          await reportCounts(a.graphqlUrl, countsInput({ checkpoint: 'binhe-gate', peopleScreened: 3 }));
          if (i === 10 || i === 20) await redisCommand('CLIENT', 'KILL', 'TYPE', 'pubsub');
        }
        const total = await dbTotal(database.url, 'binhe-gate');
        await updates.waitFor((u) => u.today.peopleScreened === total, 20_000);
      } finally {
        updates.dispose();
        await client.dispose();
      }
    });
  });

  describe('protocol abuse closes with the right code', () => {
    const open = async () => {
      const socket = new WebSocket(`${a.url.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      return socket;
    };
    const closeCode = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    const acked = (socket: WebSocket) => new Promise<void>((resolve) => socket.once('message', () => resolve()));
    const subscribe = (id: string) => JSON.stringify({ id, type: 'subscribe', payload: { query: 'subscription { zoneSummary { asOfSeq } }' } });

    it('4408 when no connection_init arrives in time', async () => {
      expect(await closeCode(await open())).toBe(4408);
    });
    it('4429 on a second connection_init', async () => {
      const socket = await open();
      const code = closeCode(socket);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${a.adminToken}` } }));
      await acked(socket);
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${a.adminToken}` } }));
      expect(await code).toBe(4429);
    });
    it('4401 on subscribe before the ack', async () => {
      const socket = await open();
      const code = closeCode(socket);
      socket.send(subscribe('1'));
      expect(await code).toBe(4401);
    });
    it('4409 on a duplicate subscription id', async () => {
      const socket = await open();
      const code = closeCode(socket);
      // Authenticated, so the first subscription stays open while the duplicate arrives.
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${a.adminToken}` } }));
      await acked(socket);
      socket.send(subscribe('same'));
      socket.send(subscribe('same'));
      expect(await code).toBe(4409);
    });
    it('4400 on a malformed message', async () => {
      const socket = await open();
      const code = closeCode(socket);
      socket.send('{not json');
      expect(await code).toBe(4400);
    });
  });

  describe('Server-Sent Events', () => {
    it('carries the same subscription with the same results as WebSocket, in both SSE modes', async () => {
      const ws = wsClient(a.url);
      const viaWs = collect(ws, ZONE, undefined, (d) => d.zoneSummary);
      const sse = createSseClient({ url: `${a.url}/graphql/stream`, singleConnection: true, retryAttempts: 0, headers: { authorization: `Bearer ${a.adminToken}` } });
      const viaSse: any[] = [];
      const disposeSse = sse.subscribe({ query: ZONE }, { next: (r: any) => viaSse.push(r.data?.zoneSummary), error: () => {}, complete: () => {} });
      const distinct = await fetch(a.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${a.adminToken}` },
        body: JSON.stringify({ query: ZONE }),
      });
      try {
        expect(distinct.headers.get('content-type')).toContain('text/event-stream');
        const reader = distinct.body!.getReader();
        let text = '';
        while (!/^data: /m.test(text)) text += new TextDecoder().decode((await reader.read()).value);
        const fromDistinct = JSON.parse(/^data: (.*)$/m.exec(text)![1]!).data.zoneSummary;
        await reader.cancel();
        const [fromWs] = await viaWs.until(1);
        for (let i = 0; i < 100 && !viaSse.length; i++) await new Promise((r) => setTimeout(r, 50));
        expect(viaSse[0]).toEqual(fromWs);
        expect(fromDistinct).toEqual(fromWs);
        await reportCounts(b.graphqlUrl, countsInput({ checkpoint: 'baida-supermarket', peopleScreened: 9 }));
        const target = fromWs.checkpointTotals.peopleScreened + 9;
        await viaWs.waitFor((z) => z.checkpointTotals.peopleScreened === target);
        for (let i = 0; i < 100 && !viaSse.some((z) => z?.checkpointTotals.peopleScreened === target); i++) await new Promise((r) => setTimeout(r, 50));
        expect(viaSse.some((z) => z?.checkpointTotals.peopleScreened === target)).toBe(true);
      } finally {
        disposeSse();
        sse.dispose();
        viaWs.dispose();
        await ws.dispose();
      }
    });
  });

  describe('crash', () => {
    it('a subscriber resumes after SIGKILL and restart with no gap and no duplicate', async () => {
      const start = (await query(database.url, `SELECT COALESCE(MAX(seq),0)::text AS seq FROM "Event"`))[0]!.seq as string;
      const received: { cursor: string; seq: string }[] = [];
      let cursor = start;
      let victim = await startServer(env());
      let client = wsClient(victim.url);
      let stream = collect(client, EVENTS, { after: cursor }, (d) => d.events);
      let writing = true;
      const writer = (async () => {
        let n = 0;
        while (writing && n < 200) {
          await reportCounts(b.graphqlUrl, countsInput({ checkpoint: 'linxigu-gate', peopleScreened: 1 }));
          n++;
        }
        return n;
      })();
      await stream.until(10);
      await victim.kill();
      received.push(...stream.values);
      stream.dispose();
      await Promise.resolve(client.dispose()).catch(() => {});
      cursor = received.at(-1)!.cursor;
      victim = await startServer(env());
      client = wsClient(victim.url);
      stream = collect(client, EVENTS, { after: cursor }, (d) => d.events);
      writing = false;
      const written = await writer;
      const expected = (await query(database.url, `SELECT seq::text AS seq FROM "Event" WHERE seq > $1 ORDER BY "Event".seq`, [start])).map((r) => r.seq as string);
      expect(expected.length).toBeGreaterThanOrEqual(written);
      await stream.until(expected.length - received.length, 30_000);
      received.push(...stream.values);
      stream.dispose();
      await client.dispose();
      await victim.stop();
      expect(received.map((e) => e.seq)).toEqual(expected);
    });
  });
});
