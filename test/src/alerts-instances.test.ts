import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedClock } from './support/clock.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { redisReachable, redisUrl, runPrefix } from './support/redis.ts';
import { countsInput, reportCounts } from './support/reporting.ts';
import { startServer, type RunningServer } from './support/server.ts';

// Exactly once: two instances evaluate the same outbox at the same time, one is killed in the middle
// of its work, its recorded position is even wound back to the start: every fever report still has
// one alert, one `alert:raised` event and one audit entry.

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!((await postgresReachable()) && (await redisReachable())))('alerts with several instances', () => {
  let database: TestDatabase;
  let clock: ReturnType<typeof pinnedClock>;
  const prefix = runPrefix('alerts');
  const env = () => ({ DATABASE_URL: database.url, REDIS_URL: redisUrl, FANGKONG_REDIS_PREFIX: prefix, FANGKONG_CLOCK_START: clock.start, FANGKONG_ALERT_SWEEP_MS: '200' });
  const servers: RunningServer[] = [];
  const start = async () => {
    const server = await startServer(env());
    servers.push(server);
    return server;
  };
  const sql = (text: string, params: unknown[] = []) => query(database.url, text, params);
  const number = async (text: string) => Number((await sql(text))[0]!.n);
  const feverAlerts = () => number(`SELECT COUNT(*)::int AS n FROM "Alert" WHERE "ruleId" = 'fever-at-entry'`);
  const totals = async () => ({
    alerts: await number(`SELECT COUNT(*)::int AS n FROM "Alert"`),
    raisedEvents: await number(`SELECT COUNT(*)::int AS n FROM "Event" WHERE type = 'alert:raised'`),
    raisedAudits: await number(`SELECT COUNT(*)::int AS n FROM "AuditEntry" WHERE action = 'alert:raised'`),
  });
  async function untilCount(expected: number, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    while ((await feverAlerts()) < expected) {
      if (Date.now() > deadline) throw new Error(`only ${await feverAlerts()} of ${expected} fever alerts`);
      await sleep(100);
    }
  }
  const fever = (server: RunningServer) => reportCounts(server.graphqlUrl, countsInput({ checkpoint: 'yingbin-road-exit', now: clock.now(), peopleScreened: 30, feverCases: 1 }));

  beforeAll(async () => {
    database = await createTestDatabase('alerts-instances');
    clock = pinnedClock('14:30');
  });

  afterAll(async () => {
    for (const server of servers) if (server.process.exitCode === null && server.process.signalCode === null) await server.stop();
    await database?.drop();
  });

  it('two instances evaluating the same reports raise one alert per report', async () => {
    const [a, b] = [await start(), await start()];
    // Reports go to both; both evaluators read every event and race to raise each alert.
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => fever(i % 2 ? a : b)));
    expect(results.every((r) => r.__typename === 'CheckpointReportPayload')).toBe(true);
    await untilCount(30);
    await sleep(1500); // both evaluators (and several sweeps each) are done
    expect(await feverAlerts()).toBe(30);
    const after = await totals();
    expect(after.raisedEvents).toBe(after.alerts);
    expect(after.raisedAudits).toBe(after.alerts);
    await a.stop();
    await b.stop();
  }, 180_000); // two servers start (the first migrates and seeds) inside the test, on a machine others load too

  it('after SIGKILL in the middle of evaluation, the restarted instance raises the rest, once each', async () => {
    const victim = await start();
    const before = await feverAlerts();
    await Promise.all(Array.from({ length: 20 }, () => fever(victim)));
    await victim.kill();
    const seen = await feverAlerts();
    expect(seen).toBeLessThanOrEqual(before + 20);
    const restarted = await start();
    await untilCount(before + 20);
    await sleep(1000);
    expect(await feverAlerts()).toBe(before + 20);
    const after = await totals();
    expect(after.raisedEvents).toBe(after.alerts);
    await restarted.stop();
  });

  it('replaying the whole outbox from a wound-back position raises nothing twice', async () => {
    const before = await totals();
    expect(before.alerts).toBeGreaterThanOrEqual(50);
    await sql(`UPDATE "AlertCursor" SET seq = 0`);
    const last = await number(`SELECT MAX(seq)::bigint AS n FROM "Event"`);
    const server = await start();
    const deadline = Date.now() + 20_000;
    while ((await number(`SELECT seq AS n FROM "AlertCursor"`)) < last) {
      if (Date.now() > deadline) throw new Error('the evaluator did not replay the outbox');
      await sleep(100);
    }
    expect(await totals()).toEqual(before);
    await server.stop();
  });
});
