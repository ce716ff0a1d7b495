import { describe, expect, it } from 'vitest';
import { databaseForSuite, pgliteDatabase, postgresDatabase, tableCounts, type CliDatabase, type Sql } from './support/cli.ts';
import { postgresReachable } from './support/postgres.ts';

const firstCheckpointStaff = ['city-roads', 'health', 'housing', 'medical', 'public-security', 'townships', 'traffic-police'];

/** 7 Feb 2020 00:00 in Asia/Shanghai, as a timestamptz. */
const feb7Local = `'2020-02-07 00:00:00+08:00'::timestamptz`;

/** Totals and a fingerprint of every history row, to compare two databases. */
async function historyTotals(sql: Sql) {
  const [checkpoints] = await sql(
    `SELECT COUNT(*)::int AS reports, SUM("peopleScreened")::int AS "peopleScreened", SUM("vehiclesInspected")::int AS vehicles,
            SUM("feverCases")::int AS fever, SUM("hubeiLinked")::int AS hubei, SUM(referred)::int AS referred,
            md5(string_agg(concat_ws(',', "idempotencyKey", id, "vehiclesInspected", "peopleScreened", "feverCases", "hubeiLinked", referred, disinfections), ';' ORDER BY "idempotencyKey")) AS fingerprint
     FROM "CheckpointReport"`,
  );
  const [output] = await sql(
    `SELECT COUNT(*)::int AS reports, SUM(produced)::int AS produced, SUM("passedQc")::int AS "passedQc",
            md5(string_agg(concat_ws(',', "idempotencyKey", id, produced, "passedQc"), ';' ORDER BY "idempotencyKey")) AS fingerprint
     FROM "OutputReport"`,
  );
  const [supplies] = await sql(
    `SELECT COUNT(*)::int AS allocations, SUM(quantity)::int AS quantity,
            (SELECT COUNT(*)::int FROM "IsolationCase") AS "isolationCases", (SELECT COUNT(*)::int FROM "HealthCheck") AS "healthChecks",
            (SELECT md5(string_agg(concat_ws(',', id, temperature), ';' ORDER BY id)) FROM "HealthCheck") AS "healthFingerprint"
     FROM "Allocation"`,
  );
  return { checkpoints: checkpoints!, output: output!, supplies: supplies! };
}

type Totals = Awaited<ReturnType<typeof historyTotals>>;
const totalsByDatabase = new Map<string, Totals>();

function seeding(label: string, open: () => Promise<CliDatabase>) {
  const db = databaseForSuite(open);
  /** Row counts as the previous test left them (saves reopening the embedded database). */
  let counts: Record<string, number>;

  it('loads the reference data the seed names', async () => {
    const result = await db().cli(['db:seed']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/reference data: 8 areas, .* 8 checkpoints, .*\(\d+ rows inserted\)/);

    await db().inspect(async (sql) => {
      const first = await sql<{ id: string; name: string; kind: string; hasPartyBranch: boolean; staff: string }>(
        `SELECT c.id, c.name, c.kind, c."hasPartyBranch", string_agg(s."departmentId", ',' ORDER BY s."departmentId") AS staff
         FROM "Checkpoint" c JOIN "CheckpointStaffing" s ON s."checkpointId" = c.id
         WHERE c.name IN ('迎宾路高速出口', '中原路高速出口', '丰收路疫情检查点')
         GROUP BY c.id ORDER BY c.id`,
      );
      expect(first.map((c) => [c.id, c.name, c.kind])).toEqual([
        ['fengshou-road', '丰收路疫情检查点', 'ROAD'],
        ['yingbin-road-exit', '迎宾路高速出口', 'EXPRESSWAY_EXIT'],
        ['zhongyuan-road-exit', '中原路高速出口', 'EXPRESSWAY_EXIT'],
      ]);
      for (const checkpoint of first) {
        expect(checkpoint.hasPartyBranch).toBe(true);
        expect(checkpoint.staff.split(',')).toEqual(firstCheckpointStaff);
      }

      const lines = await sql<{ id: string; product: string; status: string; history: string }>(
        `SELECT l.id, p.name AS product, l.status,
                (SELECT string_agg(c."to"::text, ',' ORDER BY c."at") FROM "LineStatusChange" c WHERE c."lineId" = l.id) AS history
         FROM "ProductionLine" l JOIN "Enterprise" e ON e.id = l."enterpriseId" JOIN "Product" p ON p.id = l."productId"
         WHERE e.name = '市亿中弘工贸有限公司' ORDER BY l.id`,
      );
      expect(lines).toEqual(
        [1, 2, 3].map((n) => ({
          id: `yizhonghong-line-${n}`,
          product: '医用口罩',
          status: 'PRODUCING',
          history: 'INSTALLING,COMMISSIONING,PRODUCING',
        })),
      );
      const [installing] = await sql<{ at: string }>(
        `SELECT to_char(MIN("at") AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS at FROM "LineStatusChange" WHERE "lineId" = 'yizhonghong-line-1'`,
      );
      expect(installing!.at).toBe('2020-02-04 01:00'); // 09:00 in Asia/Shanghai

      const directives = await sql<{ ordinal: number; text: string; chair: string; held: string }>(
        `SELECT d.ordinal, d.text, p.name AS chair, to_char(m."heldAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS held
         FROM "Directive" d JOIN "Meeting" m ON m.id = d."meetingId" JOIN "Person" p ON p.id = m."chairId"
         WHERE m.id = 'party-committee-2020-02-09' ORDER BY d.ordinal`,
      );
      expect(directives.map((d) => d.ordinal)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(directives.map((d) => d.text.slice(0, 2))).toEqual(['一要', '二要', '三要', '四要', '五要', '六要']);
      expect(directives[2]!.text).toContain('开足马力');
      expect(directives[5]!.text).toContain('瞒报漏报');
      expect(new Set(directives.map((d) => d.chair))).toEqual(new Set(['王家鹏']));
      expect(directives[0]!.held).toBe('2020-02-09 01:00');

      const areas = await sql<{ id: string; path: string; level: string; consistent: boolean }>(
        `SELECT a.id, a.path, a.level, a.path = COALESCE(p.path, '/') || a.id || '/' AS consistent
         FROM "Area" a LEFT JOIN "Area" p ON p.id = a."parentId" ORDER BY a.path`,
      );
      expect(areas.every((a) => a.consistent)).toBe(true);
      expect(areas.map((a) => a.path)).toEqual(
        expect.arrayContaining([
          '/shifanqu/',
          '/shifanqu/sujiazuo/',
          '/shifanqu/liwan/',
          '/shifanqu/liwan/zhulinlu/',
          '/shifanqu/liwan/zhulinlu/changlv-linxigu/',
          '/shifanqu/liwan/zhulinlu/hpu-binhe/',
          '/shifanqu/liwan/zhulinlu/jinshan-dongfang/',
          '/shifanqu/liwan/zhulinlu/baida-jiayuan/',
        ]),
      );

      const events = await sql<{ subjectId: string }>(`SELECT "subjectId" FROM "Event" WHERE type = 'seed:loaded'`);
      expect(events).toEqual([{ subjectId: 'reference' }]);
      counts = await tableCounts(sql);
    });
  });

  it('changes no row when run again', async () => {
    const result = await db().cli(['db:seed']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('already loaded');
    expect(await db().inspect(tableCounts)).toEqual(counts);
  });

  it('adds a simulated history that follows the story', async () => {
    const result = await db().cli(['db:seed', '--history']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/simulated history .*\(\d+ rows inserted\)/);

    await db().inspect(async (sql) => {
      const [marked] = await sql(
        `SELECT (SELECT COUNT(*)::int FROM "CheckpointReport" WHERE source <> 'SIMULATED' OR "reportedBy" <> 'simulator:history') AS "unmarkedReports",
                (SELECT COUNT(*)::int FROM "OutputReport" WHERE source <> 'SIMULATED' OR "reportedBy" <> 'simulator:history') AS "unmarkedOutput",
                (SELECT COUNT(*)::int FROM "Allocation" WHERE NOT simulated) AS "unmarkedAllocations",
                (SELECT COUNT(*)::int FROM "IsolationCase" WHERE NOT simulated OR "personName" NOT LIKE '模拟居民%' OR phone NOT LIKE '000-0000-%') AS "unmarkedCases"`,
      );
      expect(marked).toEqual({ unmarkedReports: 0, unmarkedOutput: 0, unmarkedAllocations: 0, unmarkedCases: 0 });

      const [story] = await sql(
        `SELECT
           (SELECT COUNT(*)::int FROM "OutputReport" o JOIN "ProductionLine" l ON l.id = o."lineId"
              WHERE l."enterpriseId" = 'yizhonghong' AND o."periodStart" < ${feb7Local}) AS "yizhonghongBeforeFeb7",
           (SELECT COALESCE(SUM(o.produced), 0)::int FROM "OutputReport" o JOIN "ProductionLine" l ON l.id = o."lineId"
              WHERE l."enterpriseId" = 'yizhonghong' AND o."periodStart" < ${feb7Local} + interval '1 day') AS "yizhonghongOnFeb7",
           (SELECT COUNT(*)::int FROM "CheckpointReport" WHERE "feverCases" > "peopleScreened" OR "feverCases" < 0) AS "feverAboveScreened",
           (SELECT COUNT(*)::int FROM "OutputReport" WHERE "passedQc" > produced OR "passedQc" < 0) AS "qcAboveProduced",
           (SELECT COUNT(DISTINCT "checkpointId")::int FROM "CheckpointReport") AS "checkpointsReporting",
           (SELECT COUNT(*)::int FROM "CheckpointReport" WHERE "periodStart" < '2020-01-26 16:00:00' OR "periodEnd" > '2020-02-09 16:00:00') AS "outsideWindow"`,
      );
      expect(story).toEqual({
        yizhonghongBeforeFeb7: 0,
        yizhonghongOnFeb7: expect.any(Number),
        feverAboveScreened: 0,
        qcAboveProduced: 0,
        checkpointsReporting: 8,
        outsideWindow: 0,
      });
      expect(story!.yizhonghongOnFeb7).toBeGreaterThan(0);

      // Masks allocated never exceed the masks that passed quality control.
      const [masks] = await sql<{ allocated: number; passed: number }>(
        `SELECT (SELECT SUM(quantity)::int FROM "Allocation" WHERE "productId" = 'medical-mask' AND status <> 'CANCELLED') AS allocated,
                (SELECT SUM(o."passedQc")::int FROM "OutputReport" o JOIN "ProductionLine" l ON l.id = o."lineId" WHERE l."productId" = 'medical-mask') AS passed`,
      );
      expect(masks!.allocated).toBeGreaterThan(0);
      expect(masks!.allocated).toBeLessThanOrEqual(masks!.passed);

      totalsByDatabase.set(label, await historyTotals(sql));
      counts = await tableCounts(sql);
    });
  });

  it('loads the history only once', async () => {
    const result = await db().cli(['db:seed', '--history']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toContain('inserted');
    expect(await db().inspect(tableCounts)).toEqual(counts);
  });
}

describe('seeding the embedded database', () => {
  seeding('pglite', async () => pgliteDatabase());
});

describe.skipIf(!(await postgresReachable()))('seeding PostgreSQL', () => {
  seeding('postgres', () => postgresDatabase('seed'));
});

describe('the simulated history', () => {
  it('is the same on every fresh database', async () => {
    // PGlite and PostgreSQL above are two fresh databases; without PostgreSQL, seed a second PGlite.
    if (totalsByDatabase.size < 2) {
      const db = pgliteDatabase();
      try {
        const result = await db.cli(['db:seed', '--history']);
        expect(result.code, result.stderr).toBe(0);
        totalsByDatabase.set('second pglite', await db.inspect(historyTotals));
      } finally {
        await db.dispose();
      }
    }
    const [first, ...others] = [...totalsByDatabase.values()];
    expect(first!.checkpoints.reports).toBeGreaterThan(2000);
    expect(first!.checkpoints.peopleScreened).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    for (const other of others) expect(other).toEqual(first);
  });
});
