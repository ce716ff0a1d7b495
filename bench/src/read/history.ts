// A longer simulated history for the read benchmark (`--history N`), written straight into the
// bench's own freshly seeded database with a few SQL statements: this is data, not the API under
// test. Both targets then read the same rows (on PGlite the baseline's copy is taken afterwards).
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import pg from 'pg';

/**
 * Simulated checkpoints added beside the seed's eight, so page sizes up to 500 are real pages. Closed:
 * an active site that never reports would raise alerts while the benchmark runs, and every event
 * moves zoneSummary's asOfSeq, so answers would change under load.
 */
export const SIMULATED_CHECKPOINTS = 492;

/** Runs one statement; answers its rows. */
export type RunSql = (text: string) => Promise<Record<string, unknown>[]>;

/**
 * Brings the checkpoint reports to `reports` in all: simulated checkpoints in the seed's first
 * checkpoint's area, then hourly simulated reports of the seed's eight checkpoints going back from
 * the earliest seeded period (each site a history of its own, never overlapping the seeded days).
 * Answers a line for the report.
 */
export async function growHistory(sql: RunSql, reports: number): Promise<string> {
  await sql(
    `INSERT INTO "Checkpoint" (id, name, "nameEn", kind, status, "areaId", "reportIntervalMinutes")
     SELECT 'simulated-' || lpad(n::text, 3, '0'), '模拟检查点' || n, 'Simulated checkpoint ' || n, 'ROAD', 'CLOSED',
            (SELECT "areaId" FROM "Checkpoint" ORDER BY id LIMIT 1), 60
     FROM generate_series(1, ${SIMULATED_CHECKPOINTS}) AS n`,
  );
  const [before] = await sql(`SELECT COUNT(*)::int AS n, COUNT(DISTINCT "checkpointId")::int AS sites FROM "CheckpointReport"`);
  const seeded = Number(before!.n);
  const sites = Number(before!.sites);
  const perSite = Math.max(0, Math.ceil((reports - seeded) / Math.max(1, sites)));
  if (perSite > 0) {
    await sql(
      `INSERT INTO "CheckpointReport" (id, "checkpointId", "periodStart", "periodEnd", "vehiclesInspected", "peopleScreened", "feverCases", source, "reportedBy")
       SELECT 'bench-history-' || s."checkpointId" || '-' || h, s."checkpointId",
              s.first - (h + 1) * interval '1 hour', s.first - h * interval '1 hour', h % 13, h % 97, (h % 500 = 0)::int, 'SIMULATED', 'bench:history'
       FROM (SELECT "checkpointId", MIN("periodStart") AS first FROM "CheckpointReport" GROUP BY 1) s
       CROSS JOIN generate_series(0, ${perSite - 1}) AS h`,
    );
  }
  await sql('VACUUM ANALYZE "CheckpointReport"');
  await sql('ANALYZE "Checkpoint"');
  const [after] = await sql(`SELECT COUNT(*)::int AS n FROM "CheckpointReport"`);
  return (
    `${Number(after!.n).toLocaleString('en')} checkpoint reports in all (${seeded.toLocaleString('en')} seeded, the rest simulated hourly history ` +
    `of the ${sites} reporting checkpoints before the seeded days, one SQL INSERT … generate_series); ${SIMULATED_CHECKPOINTS} simulated closed checkpoints without reports added`
  );
}

/** Runs `use` on a PostgreSQL database. */
export async function onPostgres<T>(url: string, use: (sql: RunSql) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(async (text) => (await client.query(text)).rows as Record<string, unknown>[]);
  } finally {
    await client.end();
  }
}

/** Runs `use` on a Fangkong PGlite folder (FANGKONG_DATA_DIR) no server holds. */
export async function onPglite<T>(dataDir: string, use: (sql: RunSql) => Promise<T>): Promise<T> {
  const db = await PGlite.create({ dataDir: join(dataDir, 'pglite'), extensions: { btree_gist } });
  try {
    return await use(async (text) => (await db.query<Record<string, unknown>>(text)).rows);
  } finally {
    await db.close();
  }
}
