// One period is counted once: a report whose period overlaps a current report of the same
// checkpoint or line is refused with OverlappingReportError naming the report already counted,
// decided by the database (an exclusion constraint), also between concurrent reports.
import { randomUUID } from 'node:crypto';
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, databaseConfigFromEnv, migrationsDir, openDatabase, readMigrations } from '@fangkong/prisma';
import { seedOlderSchema } from './support/older-schema.ts';
import { databaseForSuite, pgliteDatabase, postgresDatabase, type CliDatabase } from './support/cli.ts';
import { pinnedClock, shanghaiDay } from './support/clock.ts';
import { globalId } from './support/ids.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { tempDir } from './support/processes.ts';
import { REPORT_CHECKPOINT } from './support/reporting.ts';
import { graphql, startServer, type RunningServer } from './support/server.ts';

const REPORT_OUTPUT = `mutation($input: ReportProductionOutputInput!) {
  reportProductionOutput(input: $input) {
    __typename
    ... on OutputReportPayload { duplicate report { id produced } }
    ... on Error { code message }
    ... on OverlappingReportError { existingReportId existingPeriodStart existingPeriodEnd correctWith }
  }
}`;

const REPORT_WITH_OVERLAP = REPORT_CHECKPOINT.replace(
  '... on Error { code message }',
  '... on Error { code message } ... on OverlappingReportError { existingReportId existingPeriodStart existingPeriodEnd correctWith }',
);

const CORRECT = `mutation($id: ID!, $key: String!, $people: Int!) {
  correctCheckpointReport(reportId: $id, input: { peopleScreened: $people }, reason: "counted a bus twice", idempotencyKey: $key) {
    __typename ... on CheckpointReportPayload { duplicate report { id peopleScreened } } ... on Error { code message }
  }
}`;

const TOTALS = `query($day: Date!) { zoneSummary(day: $day) { checkpointTotals { peopleScreened feverCases } production { masks { produced } } } }`;

/** An instant of the pinned clock's local day, e.g. at('10:00'). */
const atOn = (day: string) => (time: string) => new Date(`${day}T${time}:00+08:00`).toISOString();

function refusingOverlaps(label: string, open: () => Promise<{ env: NodeJS.ProcessEnv; dispose(): Promise<void> }>) {
  describe(label, () => {
    let server: RunningServer;
    let dispose: () => Promise<void>;
    let url: string;
    let day: string;
    let at: (time: string) => string;
    const checkpointId = globalId('Checkpoint', 'yingbin-road-exit');
    const report = async (periodStart: string, periodEnd: string, figures: { peopleScreened: number; feverCases: number }, idempotencyKey: string = randomUUID()) => {
      const response = await graphql(url, REPORT_WITH_OVERLAP, { input: { checkpointId, periodStart, periodEnd, ...figures, idempotencyKey } });
      expect(response.errors).toBeUndefined();
      expect(response.status).toBe(200);
      return response.data!.reportCheckpointCounts as Record<string, any>;
    };
    const totals = async () => (await graphql(url, TOTALS, { day })).data!.zoneSummary;

    beforeAll(async () => {
      // 14:30 local: the periods below (10:00–12:00) are of today and in the past.
      const clock = pinnedClock('14:30');
      day = shanghaiDay(clock.now());
      at = atOn(day);
      const database = await open();
      dispose = database.dispose;
      server = await startServer({ ...database.env, FANGKONG_CLOCK_START: clock.start });
      url = server.graphqlUrl;
    });
    afterAll(async () => {
      await server?.stop();
      await dispose?.();
    });

    let first: Record<string, any>;
    let firstKey: string;

    it('refuses a second report of the same period under a new key, naming the report already counted; totals do not move', async () => {
      firstKey = randomUUID();
      first = await report(at('10:00'), at('11:00'), { peopleScreened: 284, feverCases: 1 }, firstKey);
      expect(first).toMatchObject({ __typename: 'CheckpointReportPayload', duplicate: false, report: { peopleScreened: 284 } });
      const before = await totals();

      const again = await report(at('10:00'), at('11:00'), { peopleScreened: 212, feverCases: 1 });
      expect(again).toEqual({
        __typename: 'OverlappingReportError',
        code: 'OVERLAPPING_REPORT',
        message: expect.stringContaining(first.report.id),
        existingReportId: first.report.id,
        existingPeriodStart: at('10:00'),
        existingPeriodEnd: at('11:00'),
        correctWith: 'correctCheckpointReport',
      });
      expect(again.message).toMatch(/correct that report \(correctCheckpointReport\)/);
      expect(await totals()).toEqual(before);
    });

    it('refuses a period that overlaps only in part', async () => {
      const before = await totals();
      const partly = await report(at('10:30'), at('11:30'), { peopleScreened: 50, feverCases: 0 });
      expect(partly).toMatchObject({ __typename: 'OverlappingReportError', existingReportId: first.report.id });
      const inside = await report(at('10:15'), at('10:45'), { peopleScreened: 50, feverCases: 0 });
      expect(inside).toMatchObject({ __typename: 'OverlappingReportError', existingReportId: first.report.id });
      expect(await totals()).toEqual(before);
    });

    it('accepts the adjacent period [11:00, 12:00) after [10:00, 11:00)', async () => {
      const before = await totals();
      const next = await report(at('11:00'), at('12:00'), { peopleScreened: 100, feverCases: 0 });
      expect(next).toMatchObject({ __typename: 'CheckpointReportPayload', duplicate: false });
      expect((await totals()).checkpointTotals.peopleScreened).toBe(before.checkpointTotals.peopleScreened + 100);
    });

    it('still answers a retry under the original key with the original report', async () => {
      const retry = await report(at('10:00'), at('11:00'), { peopleScreened: 284, feverCases: 1 }, firstKey);
      expect(retry).toMatchObject({ __typename: 'CheckpointReportPayload', duplicate: true, report: { id: first.report.id, peopleScreened: 284 } });
    });

    it('still accepts a correction of the report already counted, and then names the correction', async () => {
      const before = await totals();
      const corrected = (await graphql(url, CORRECT, { id: first.report.id, key: randomUUID(), people: 280 })).data!.correctCheckpointReport;
      expect(corrected).toMatchObject({ __typename: 'CheckpointReportPayload', duplicate: false, report: { peopleScreened: 280 } });
      expect((await totals()).checkpointTotals.peopleScreened).toBe(before.checkpointTotals.peopleScreened - 4);

      const again = await report(at('10:00'), at('11:00'), { peopleScreened: 212, feverCases: 1 });
      expect(again).toMatchObject({ __typename: 'OverlappingReportError', existingReportId: corrected.report.id });
    });

    it('refuses an overlapping output report of the same line, and accepts it for another line', async () => {
      const line = globalId('ProductionLine', 'pingguang-line-1');
      const output = async (lineId: string, periodStart: string, periodEnd: string) =>
        (await graphql(url, REPORT_OUTPUT, { input: { lineId, periodStart, periodEnd, produced: 900, passedQc: 880, idempotencyKey: randomUUID() } })).data!.reportProductionOutput;
      const made = await output(line, at('09:00'), at('10:00'));
      expect(made).toMatchObject({ __typename: 'OutputReportPayload', duplicate: false });
      const before = await totals();
      expect(await output(line, at('09:30'), at('10:30'))).toMatchObject({
        __typename: 'OverlappingReportError',
        code: 'OVERLAPPING_REPORT',
        existingReportId: made.report.id,
        correctWith: 'correctOutputReport',
      });
      expect(await totals()).toEqual(before);
      expect(await output(globalId('ProductionLine', 'mingren-mingkang-line-1'), at('09:30'), at('10:30'))).toMatchObject({ __typename: 'OutputReportPayload' });
    });
  });
}

refusingOverlaps('overlapping reports on the embedded database', async () => {
  const dir = tempDir('fangkong-overlap-');
  return { env: { FANGKONG_DATA_DIR: dir.path }, dispose: async () => dir.remove() };
});

describe.skipIf(!(await postgresReachable()))('overlapping reports on PostgreSQL', () => {
  let database: TestDatabase;
  refusingOverlaps('over HTTP', async () => {
    database = await createTestDatabase('overlap');
    return { env: { DATABASE_URL: database.url }, dispose: () => database.drop() };
  });

  describe('under concurrency', () => {
    let db: TestDatabase;
    let server: RunningServer;
    let at: (time: string) => string;
    beforeAll(async () => {
      const clock = pinnedClock('14:30');
      at = atOn(shanghaiDay(clock.now()));
      db = await createTestDatabase('overlap-race');
      server = await startServer({ DATABASE_URL: db.url, FANGKONG_CLOCK_START: clock.start });
    });
    afterAll(async () => {
      await server?.stop();
      await db?.drop();
    });

    it('lets exactly one of concurrent reports of one period in; the others are refused naming it, none fails', async () => {
      const checkpointId = globalId('Checkpoint', 'fengshou-road');
      const sharedKey = randomUUID();
      // Twelve different keys and four retries under one key, all at once.
      const keys = [...Array.from({ length: 12 }, () => randomUUID()), sharedKey, sharedKey, sharedKey, sharedKey];
      const answers = await Promise.all(
        keys.map((idempotencyKey, i) =>
          graphql(server.graphqlUrl, REPORT_WITH_OVERLAP, {
            input: { checkpointId, periodStart: at('10:00'), periodEnd: at('11:00'), peopleScreened: idempotencyKey === sharedKey ? 77 : 100 + i, idempotencyKey },
          }),
        ),
      );
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        expect(answer.errors).toBeUndefined();
      }
      const results = answers.map((a) => a.data!.reportCheckpointCounts as Record<string, any>);
      const stored = await query(db.url, `SELECT id, "idempotencyKey" FROM "CheckpointReport" WHERE "checkpointId" = 'fengshou-road'`);
      expect(stored).toHaveLength(1);
      const winner = globalId('CheckpointReport', stored[0]!.id as string);
      const stores = results.filter((r) => r.__typename === 'CheckpointReportPayload' && !r.duplicate);
      expect(stores).toHaveLength(1);
      for (const [i, result] of results.entries()) {
        if (result.__typename === 'CheckpointReportPayload') {
          // Only the winner itself, or a retry under its key, is answered with the report.
          expect(result.report.id).toBe(winner);
          expect(keys[i] === stored[0]!.idempotencyKey).toBe(true);
        } else {
          expect(result).toMatchObject({ __typename: 'OverlappingReportError', existingReportId: winner });
        }
      }
      expect(server.output()).not.toMatch(/unexpected error/i);
    });
  });
});

/**
 * A database that already holds overlapping current reports (the defect) must still migrate: the
 * later of each overlapping pair is left out of the rule and stays counted; new overlaps are refused.
 */
function migratingOverlaps(open: () => Promise<CliDatabase>) {
  const db = databaseForSuite(open);
  it('migrates a database holding the same period twice, keeps both counted, and refuses a third', async () => {
    const rule = readMigrations().migrationDirectories.map((m) => m.path).find((name) => name.endsWith('_report_periods_exclusive'))!;
    const earlier = tempDir('fangkong-overlap-before-');
    try {
      cpSync(join(migrationsDir, 'migration_lock.toml'), join(earlier.path, 'migration_lock.toml'));
      for (const { path } of readMigrations().migrationDirectories.filter((m) => m.path < rule)) cpSync(join(migrationsDir, path), join(earlier.path, path), { recursive: true });
      const database = await openDatabase(databaseConfigFromEnv(db().env));
      try {
        await applyMigrations(database, earlier.path);
        await seedOlderSchema(database.prisma, {});
        // 迎宾路, 10:00–11:00 reported twice (284 then 212), a third time overlapping both, and one
        // version superseded by a correction (history, not counted).
        await database.prisma.$executeRawUnsafe(`INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "peopleScreened", "feverCases", "reportedBy", "idempotencyKey", "createdAt", "supersededAt") VALUES
          ('r1', 'yingbin-road-exit', '2020-02-07T02:00Z', '2020-02-07T03:00Z', 284, 1, 'operator:a', 'k1', '2020-02-07T03:01Z', NULL),
          ('r2', 'yingbin-road-exit', '2020-02-07T02:00Z', '2020-02-07T03:00Z', 212, 1, 'operator:b', 'k2', '2020-02-07T03:05Z', NULL),
          ('r3', 'yingbin-road-exit', '2020-02-07T02:30Z', '2020-02-07T03:30Z', 10, 0, 'operator:c', 'k3', '2020-02-07T03:40Z', NULL),
          ('r0', 'yingbin-road-exit', '2020-02-07T01:00Z', '2020-02-07T02:00Z', 99, 0, 'operator:a', 'k0', '2020-02-07T02:01Z', '2020-02-07T02:30Z'),
          ('r4', 'yingbin-road-exit', '2020-02-07T01:00Z', '2020-02-07T02:00Z', 90, 0, 'operator:a', 'k4', '2020-02-07T02:30Z', NULL)`);
      } finally {
        await database.close();
      }
      const sum = `SELECT SUM("peopleScreened")::int AS n FROM "CheckpointReport" WHERE "supersededAt" IS NULL`;
      const [before] = await db().inspect((sql) => sql<{ n: number }>(sum));

      const result = await db().cli(['db:migrate']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(rule);

      const after = await db().inspect(async (sql) => ({
        sum: (await sql<{ n: number }>(sum))[0],
        marked: await sql<{ id: string }>(`SELECT id FROM "CheckpointReport" WHERE "predatesOverlapRule" ORDER BY id`),
      }));
      expect(after.sum).toEqual(before);
      expect(after.marked.map((r) => r.id)).toEqual(['r2', 'r3']);

      const refused = await db().inspect(async (sql) => {
        try {
          await sql(`INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "reportedBy") VALUES ('r5', 'yingbin-road-exit', '2020-02-07T02:45Z', '2020-02-07T03:15Z', 'operator:d')`);
          return 'inserted';
        } catch (error) {
          return String((error as Error).message);
        }
      });
      expect(refused).toContain('CheckpointReport_current_period_excl');
    } finally {
      earlier.remove();
    }
  });
}

describe('the overlap rule migrating existing overlaps on the embedded database', () => {
  migratingOverlaps(async () => pgliteDatabase());
});

describe.skipIf(!(await postgresReachable()))('the overlap rule migrating existing overlaps on PostgreSQL', () => {
  migratingOverlaps(() => postgresDatabase('overlap-migration'));
});
