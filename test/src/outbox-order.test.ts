import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, wsClient } from './support/live.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { redisReachable, redisUrl, runPrefix } from './support/redis.ts';
import { pinnedClock } from './support/clock.ts';
import { countsInput, lastHour, reportCounts } from './support/reporting.ts';
import { startServer, type RunningServer } from './support/server.ts';

// Writers append to the outbox without a lock (prisma/src/outbox.ts), so their commits finish in any
// order. This proves that readers still get every event once, in order: 32 writers on two instances
// (PostgreSQL + Redis) report through the API while the test itself holds transactions open on the
// same database (an event appended, then the transaction kept open for a while, committed or rolled
// back; or a transaction id taken first and the event appended late), so that events with smaller
// seqs commit after larger ones, again and again. The readers (an `events` subscription on each
// instance, a reader that pages with `events(after)` across both, and the horizon read in SQL)
// must each end with exactly the events stored, in seq order. A control reader that reads the way
// the outbox was read under the lock (`seq > cursor ORDER BY seq`) must miss some: without the
// horizon, those same commits would have been lost to every follower.

const EVENTS = `subscription($after: String) { events(after: $after) { cursor seq type } }`;
const clock = pinnedClock('14:30');
const live = (await postgresReachable()) && (await redisReachable());

interface Seen {
  seqs: bigint[];
}

describe.skipIf(!live)('outbox order without a lock: 32 writers on two instances, commits out of order', () => {
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  const prefix = runPrefix('outbox-order');
  const env = () => ({
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    FANGKONG_REDIS_PREFIX: prefix,
    FANGKONG_CLOCK_START: clock.start,
    FANGKONG_RATE_LIMIT: '1000000',
    LOG_LEVEL: 'silent',
  });

  beforeAll(async () => {
    database = await createTestDatabase('outbox_order');
    a = await startServer(env());
    // Only the writers below append events here: the alert rules (rows an admin may switch off) are
    // off, so the evaluator adds none of its own while the writers' are counted.
    await query(database.url, `UPDATE "AlertRule" SET enabled = false`);
    b = await startServer(env());
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  it('every reader gets every event exactly once, in seq order; a reader without the horizon misses some', async () => {
    const [{ seq: start }] = (await query<{ seq: string }>(database.url, `SELECT fangkong_outbox_position()::text AS seq`)) as [{ seq: string }];
    const checkpoints = (await query<{ id: string }>(database.url, `SELECT id FROM "Checkpoint" WHERE status::text <> 'CLOSED' ORDER BY id`)).map((r) => r.id);
    let running = true;

    // Followers: one live `events` stream per instance, from the position before the run.
    const clients = [wsClient(a.url), wsClient(b.url)];
    const followers = clients.map((client) => collect(client, EVENTS, { after: start }, (d) => d.events));

    // A pager: `events(after)` for a page of at most 25, then again from the last cursor, on either
    // instance in turn, until it has as many events as are stored (known once the writers are done).
    const paged: Seen = { seqs: [] };
    let pagerTarget = Number.POSITIVE_INFINITY;
    let stopped = false; // the test ended, passed or not
    const pager = (async () => {
      let cursor = start;
      for (let page = 0; !stopped && paged.seqs.length < pagerTarget; page++) {
        const client = wsClient(page % 2 ? a.url : b.url);
        const stream = collect(client, EVENTS, { after: cursor }, (d) => d.events);
        await stream.until(25, 150).catch(() => {});
        stream.dispose();
        await client.dispose();
        // Values that arrived after the 25th are dropped, as a client closing its page would.
        const taken = stream.values.slice(0, 25);
        paged.seqs.push(...taken.map((e) => BigInt(e.seq)));
        if (taken.length) cursor = taken.at(-1)!.cursor;
      }
    })();

    // The horizon read in SQL, as the followers read, and the read without it (the control), both polling.
    const horizonRead: Seen = { seqs: [] };
    const naiveRead: Seen = { seqs: [] };
    const sqlReader = new pg.Client({ connectionString: database.url });
    await sqlReader.connect();
    let settled = false; // writers and holders done: nothing more will be written
    const polling = (async () => {
      let horizonCursor = start;
      let naiveCursor = start;
      for (let idle = 0; idle < 3; ) {
        const horizon = await sqlReader.query<{ seq: string }>(`SELECT seq::text AS seq FROM "Event" WHERE seq > $1 AND seq < fangkong_outbox_horizon() ORDER BY seq LIMIT 500`, [horizonCursor]);
        const naive = await sqlReader.query<{ seq: string }>(`SELECT seq::text AS seq FROM "Event" WHERE seq > $1 ORDER BY seq LIMIT 500`, [naiveCursor]);
        horizonRead.seqs.push(...horizon.rows.map((r) => BigInt(r.seq)));
        naiveRead.seqs.push(...naive.rows.map((r) => BigInt(r.seq)));
        if (horizon.rows.length) horizonCursor = horizon.rows.at(-1)!.seq;
        if (naive.rows.length) naiveCursor = naive.rows.at(-1)!.seq;
        idle = !settled || horizon.rows.length || naive.rows.length ? 0 : idle + 1;
        await new Promise((r) => setTimeout(r, 3));
      }
    })();

    // Transactions held open from the test: they make smaller seqs commit after larger ones.
    const held = { committed: 0, rolledBack: 0 };
    const holder = async (n: number) => {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        for (let i = 0; running; i++) {
          const lateAppend = i % 3 === 1; // the transaction id first, the event only at the end
          const rollBack = i % 4 === 3;
          await client.query('BEGIN');
          const append = () =>
            client.query(`INSERT INTO "Event" (type, "subjectType", "subjectId", payload, actor) VALUES ('seed:loaded', 'Seed', $1, '{}', 'test:holder')`, [`held-${n}-${i}`]);
          if (lateAppend) await client.query('SELECT pg_current_xact_id()');
          else await append();
          await new Promise((r) => setTimeout(r, 40 + Math.random() * 160));
          if (lateAppend) await append();
          await client.query(rollBack ? 'ROLLBACK' : 'COMMIT');
          held[rollBack ? 'rolledBack' : 'committed']++;
          await new Promise((r) => setTimeout(r, Math.random() * 30));
        }
      } finally {
        await client.end();
      }
    };
    const holders = [holder(1), holder(2), holder(3)];

    // 32 writers, 16 on each instance, each reporting 12 times: report n is checkpoint n mod k's
    // n div k-th ten seconds of the last hour, a period of its own.
    let next = 0;
    const hour = Date.parse(lastHour(1, clock.now()).periodStart);
    const writer = async (instance: RunningServer) => {
      for (let i = 0; i < 12; i++) {
        const n = next++;
        const periodStart = hour + Math.floor(n / checkpoints.length) * 10_000;
        const input = countsInput({
          checkpoint: checkpoints[n % checkpoints.length]!,
          periodStart: new Date(periodStart).toISOString(),
          periodEnd: new Date(periodStart + 10_000).toISOString(),
          peopleScreened: 1,
        });
        const result = await reportCounts(instance.graphqlUrl, input);
        expect(result.__typename).toBe('CheckpointReportPayload');
      }
    };
    try {
      await Promise.all(Array.from({ length: 32 }, (_, i) => writer(i % 2 ? b : a)));
    } finally {
      running = false;
      await Promise.all(holders);
      settled = true;
    }

    try {
      const expected = (await query<{ seq: string }>(database.url, `SELECT seq::text AS seq FROM "Event" WHERE seq > $1 ORDER BY seq`, [start])).map((r) => BigInt(r.seq));
      expect(expected.length).toBe(32 * 12 + held.committed);
      pagerTarget = expected.length;
      await polling;
      await sqlReader.end();
      // Wait for every reader to have as many events as are stored (a reader that skipped one never
      // gets there: then the comparisons below say which).
      for (const follower of followers) await follower.until(expected.length, 30_000).catch(() => {});
      await Promise.race([pager, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      await new Promise((r) => setTimeout(r, 300));
      for (const follower of followers) follower.dispose();
      await Promise.all(clients.map((client) => client.dispose()));

      // Out of order for real: events appeared below seqs already readable, so a reader without the
      // horizon (the old read, right only under the lock) skipped some for good.
      const naiveMissed = expected.filter((seq) => !naiveRead.seqs.includes(seq));
      console.info(`${expected.length} events (${held.committed} from held transactions, ${held.rolledBack} rolled back); the read without the horizon missed ${naiveMissed.length}`);
      expect(held.committed).toBeGreaterThan(0);
      expect(held.rolledBack).toBeGreaterThan(0);
      expect(naiveMissed.length).toBeGreaterThan(0);

      // Every reader with the horizon: exactly the stored events, each once, in order.
      const asText = (seqs: bigint[]) => seqs.map(String);
      expect(asText(horizonRead.seqs)).toEqual(asText(expected));
      for (const follower of followers) expect(asText(follower.values.map((e) => BigInt(e.seq)))).toEqual(asText(expected));
      expect(asText(paged.seqs)).toEqual(asText(expected));
    } finally {
      stopped = true;
      settled = true;
    }
  }, 240_000);
});
