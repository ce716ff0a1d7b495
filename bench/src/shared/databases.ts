// A fresh, seeded database per run: a PostgreSQL database of its own (dropped afterwards) or a
// PGlite folder in a temporary directory, plus the copy of it the PGlite baseline opens.
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

export type Backend = 'postgres' | 'pglite';

export interface BenchDatabase {
  backend: Backend;
  /** What the seed printed: row counts of the data the operations read. */
  seedSummary: string;
  /** Environment for the Fangkong server. */
  serverEnv: Record<string, string>;
  /** Environment for the baseline process. */
  baselineEnv: Record<string, string>;
  /**
   * Environment for the peer (PostGraphile 5, bench/src/read/peer-server.ts): on PostgreSQL only. On
   * PGlite it would need a third copy of the folder and PostGraphile's PGlite adaptor; not done.
   */
  peerEnv?: Record<string, string>;
  /** Where it lives, for the report. */
  location: string;
  drop(): Promise<void>;
}

const run = promisify(execFile);

/** Variables that would point a child at some other database. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['DATABASE_URL', 'FANGKONG_DATA_DIR', 'FANGKONG_TRACE_SQL', 'INIT_CWD', 'PORT', 'BASELINE_DATABASE_URL', 'BASELINE_PGLITE_DIR', 'PEER_DATABASE_URL']) delete env[name];
  return env;
}

/** `pnpm db:seed --history`, run as the CLI it is (without pnpm in between). */
async function seed(repoRoot: string, env: Record<string, string>): Promise<string> {
  const { stdout } = await run(process.execPath, ['--experimental-wasm-modules', '--no-warnings', '--import', 'tsx', 'prisma/src/cli.ts', 'seed', '--history'], {
    cwd: repoRoot,
    env: { ...cleanEnv(), ...env },
    maxBuffer: 16 * 2 ** 20,
  });
  const line = stdout.split('\n').find((l) => l.startsWith('seeded '));
  if (!line || !/simulated history/.test(line)) throw new Error(`the seed did not report the simulated history:\n${stdout}`);
  return line.slice(Math.max(0, line.indexOf('reference data:')));
}

/** An empty database of its own on the machine's PostgreSQL, named for the run, dropped by `drop`. */
export async function createEmptyDatabase(adminUrl: string, prefix: string): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${process.pid}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Adds data to a freshly seeded database no server holds yet; answers a line for the report. */
export type AfterSeed = (where: { databaseUrl: string } | { dataDir: string }) => Promise<string>;

const withExtra = async (summary: string, extra: Promise<string> | undefined) => {
  const line = await extra;
  return line ? `${summary}; ${line}` : summary;
};

export async function createPostgresDatabase(repoRoot: string, adminUrl: string, afterSeed?: AfterSeed): Promise<BenchDatabase> {
  // BENCH_DATABASE_PREFIX: on a shared PostgreSQL, a name of one's own for the throwaway databases.
  const { name, url: databaseUrl, drop } = await createEmptyDatabase(adminUrl, process.env.BENCH_DATABASE_PREFIX ?? 'fangkong_bench');
  try {
    const seedSummary = await withExtra(await seed(repoRoot, { DATABASE_URL: databaseUrl }), afterSeed?.({ databaseUrl }));
    return {
      backend: 'postgres',
      seedSummary,
      serverEnv: { DATABASE_URL: databaseUrl },
      baselineEnv: { BASELINE_DATABASE_URL: databaseUrl },
      peerEnv: { PEER_DATABASE_URL: databaseUrl },
      location: `database ${name}`,
      drop,
    };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

export async function createPgliteDatabase(repoRoot: string, afterSeed?: AfterSeed): Promise<BenchDatabase> {
  const root = mkdtempSync(join(os.tmpdir(), 'fangkong-bench-'));
  const serverDir = join(root, 'server');
  const baselineDir = join(root, 'baseline');
  const drop = async () => rmSync(root, { recursive: true, force: true });
  try {
    const seedSummary = await withExtra(await seed(repoRoot, { FANGKONG_DATA_DIR: serverDir }), afterSeed?.({ dataDir: serverDir }));
    // PGlite is single-process: the baseline gets its own copy of the seeded folder, lock left out.
    cpSync(serverDir, baselineDir, { recursive: true, filter: (source) => !source.endsWith('fangkong.lock') });
    return {
      backend: 'pglite',
      seedSummary,
      serverEnv: { FANGKONG_DATA_DIR: serverDir },
      baselineEnv: { BASELINE_PGLITE_DIR: baselineDir },
      location: `PGlite folders in ${root}`,
      drop,
    };
  } catch (error) {
    await drop();
    throw error;
  }
}
