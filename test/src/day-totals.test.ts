import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pinnedClock, shanghaiDay } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { redisReachable, redisUrl, runPrefix } from './support/redis.ts';
import { countsInput, reportCounts } from './support/reporting.ts';
import { graphql, startServer, type RunningServer } from './support/server.ts';

// Day totals (issue 21): the database keeps each site's current reports summed per local day
// ("CheckpointDayTotal", by triggers in the transaction that writes them), and a day's summary adds
// those rows instead of reading every report. On PostgreSQL with two instances: reports and
// corrections racing on both must leave totals equal to a GROUP BY of the current reports, and every
// summary equal to sums computed here from the reports. A server on another zone joining the database
// registers its zone and fills its totals once, from the history already there.

const clock = pinnedClock('14:30');
const live = (await postgresReachable()) && (await redisReachable());
const FIGURES = ['vehiclesInspected', 'peopleScreened', 'feverCases', 'hubeiLinked', 'referred', 'disinfections'] as const;

const CORRECT = `mutation($id: ID!, $input: CorrectCheckpointReportInput!, $reason: String!, $key: String!) {
  correctCheckpointReport(reportId: $id, input: $input, reason: $reason, idempotencyKey: $key) { __typename ... on Error { code message } } }`;
const SUMMARY = `query($day: Date) { zoneSummary(day: $day) { day checkpointTotals { ${FIGURES.join(' ')} reports } byCheckpointKind { kind counts { peopleScreened reports } } } }`;

describe.skipIf(!live)('day totals kept by the database', () => {
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  const prefix = runPrefix('day-totals');
  const env = (extra: Record<string, string> = {}) => ({
    DATABASE_URL: database.url,
    REDIS_URL: redisUrl,
    FANGKONG_REDIS_PREFIX: prefix,
    FANGKONG_CLOCK_START: clock.start,
    FANGKONG_RATE_LIMIT: '1000000',
    LOG_LEVEL: 'silent',
    ...extra,
  });

  beforeAll(async () => {
    database = await createTestDatabase('day_totals');
    a = await startServer(env());
    b = await startServer(env());
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  /** Rows where the kept totals of `zone` and a GROUP BY of the current reports disagree (none expected). */
  const disagreements = (zone: string) =>
    query(
      database.url,
      `WITH counted AS (
         SELECT ("periodStart" AT TIME ZONE $1)::date AS day, "checkpointId", ${FIGURES.map((f) => `SUM("${f}")::bigint AS "${f}"`).join(', ')},
           COUNT(*)::int AS reports, (COUNT(*) FILTER (WHERE source = 'SIMULATED'))::int AS "simulatedReports"
         FROM "CheckpointReport" WHERE "supersededAt" IS NULL GROUP BY 1, 2
       ), kept AS (SELECT * FROM "CheckpointDayTotal" WHERE zone = $1 AND reports <> 0)
       SELECT counted.day AS counted, kept.day AS kept, "checkpointId" FROM counted FULL JOIN kept USING (day, "checkpointId")
       WHERE ${[...FIGURES, 'reports', 'simulatedReports'].map((f) => `counted."${f}" IS DISTINCT FROM kept."${f}"`).join(' OR ')}`,
      [zone],
    );

  /** A local day's figures summed here from the current reports (the zone's checkpoints, with none from gate scans in this file). */
  const summed = async (zone: string, day: string) => {
    const [row] = await query<Record<string, string>>(
      database.url,
      `SELECT ${FIGURES.map((f) => `COALESCE(SUM("${f}"), 0)::text AS "${f}"`).join(', ')}, COUNT(*)::text AS reports
       FROM "CheckpointReport" WHERE "supersededAt" IS NULL AND ("periodStart" AT TIME ZONE $1)::date = $2::date`,
      [zone, day],
    );
    return Object.fromEntries(Object.entries(row!).map(([key, value]) => [key, Number(value)]));
  };

  it('keeps every site’s day equal to its current reports while two instances take reports and corrections at once', async () => {
    expect(await query(database.url, `SELECT name FROM "ReportingZone"`)).toEqual([{ name: 'Asia/Shanghai' }]);
    const checkpoints = (await query<{ id: string }>(database.url, `SELECT id FROM "Checkpoint" WHERE status::text <> 'CLOSED' ORDER BY id`)).map((r) => r.id);
    const servers = [a, b];
    // 64 reports over every open site from 16 writers on both instances; each writer corrects every
    // third report it sent, so corrections race with reports of the same sites and days.
    await Promise.all(
      Array.from({ length: 16 }, async (_, writer) => {
        const url = servers[writer % 2]!.graphqlUrl;
        for (let i = 0; i < 4; i++) {
          const checkpoint = checkpoints[(writer + i) % checkpoints.length]!;
          const figures = { vehiclesInspected: writer + i, peopleScreened: 10 * writer + i + 1, feverCases: i % 2, hubeiLinked: 1, referred: i % 2, disinfections: 2 };
          const answer = await reportCounts(url, countsInput({ checkpoint, now: clock.now(), ...figures }));
          expect(answer.__typename).toBe('CheckpointReportPayload');
          if (i % 3 === 0) {
            const corrected = await graphql(url, CORRECT, { id: answer.report.id, input: { peopleScreened: figures.peopleScreened + 100, feverCases: 0 }, reason: 'recount', key: randomUUID() });
            expect(corrected.data!.correctCheckpointReport.__typename).toBe('CheckpointReportPayload');
          }
        }
      }),
    );
    expect(await disagreements('Asia/Shanghai')).toEqual([]);

    const today = shanghaiDay(clock.now());
    const expected = await summed('Asia/Shanghai', today);
    expect(expected.reports).toBeGreaterThanOrEqual(64);
    for (const server of servers) {
      const summary = (await graphql(server.graphqlUrl, SUMMARY)).data!.zoneSummary;
      expect(summary.day).toBe(today);
      expect(summary.checkpointTotals).toEqual(expected);
      const byKind = summary.byCheckpointKind.reduce((sum: number, kind: { counts: { peopleScreened: number } }) => sum + kind.counts.peopleScreened, 0);
      expect(byKind).toBe(expected.peopleScreened);
    }
    // A site's day as the page shows it (read from its reports) agrees with the kept total.
    const site = checkpoints[0]!;
    const page = (await graphql(a.graphqlUrl, `query($id: ID!) { node(id: $id) { ... on Checkpoint { today { peopleScreened reports } } } }`, { id: globalId('Checkpoint', site) })).data!.node.today;
    const [kept] = await query<{ peopleScreened: string; reports: number }>(database.url, `SELECT "peopleScreened"::text AS "peopleScreened", reports FROM "CheckpointDayTotal" WHERE zone = 'Asia/Shanghai' AND day = $1::date AND "checkpointId" = $2`, [today, site]);
    expect(page).toEqual({ peopleScreened: Number(kept!.peopleScreened), reports: kept!.reports });
  });

  it('fills the totals of another zone once when a server on it starts, and answers its days from them', async () => {
    const zone = 'America/New_York';
    const newYork = await startServer(env({ FANGKONG_TZ: zone }));
    try {
      expect((await query<{ name: string }>(database.url, `SELECT name FROM "ReportingZone" ORDER BY name`)).map((r) => r.name)).toEqual([zone, 'Asia/Shanghai']);
      expect(await disagreements(zone)).toEqual([]);
      // The New York day holding the reports of the test above.
      const [{ day }] = (await query<{ day: string }>(database.url, `SELECT (("periodStart" AT TIME ZONE $1)::date)::text AS day FROM "CheckpointReport" WHERE "supersededAt" IS NULL ORDER BY "createdAt" DESC LIMIT 1`, [zone])) as [{ day: string }];
      const summary = (await graphql(newYork.graphqlUrl, SUMMARY, { day })).data!.zoneSummary;
      expect(summary.checkpointTotals).toEqual(await summed(zone, day));
      // A report through the New York server is added to both zones' days.
      expect((await reportCounts(newYork.graphqlUrl, countsInput({ checkpoint: 'binhe-gate', now: clock.now(), peopleScreened: 5 }))).__typename).toBe('CheckpointReportPayload');
      expect(await disagreements(zone)).toEqual([]);
      expect(await disagreements('Asia/Shanghai')).toEqual([]);
    } finally {
      await newYork.stop();
    }
  });
});
