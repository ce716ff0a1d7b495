import { openDatabase } from '@fangkong/prisma';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase } from './postgres.ts';
import { pnpm, tempDir, type RunResult } from './processes.ts';

/** Runs SQL and returns plain rows (bigints as numbers), whichever database it is. */
export type Sql = <R extends Record<string, unknown> = Record<string, unknown>>(text: string) => Promise<R[]>;

/** A database the CLI is pointed at through its environment, and a way to look inside afterwards. */
export interface CliDatabase {
  kind: 'pglite' | 'postgres';
  /** FANGKONG_DATA_DIR or DATABASE_URL for the CLI process. */
  env: NodeJS.ProcessEnv;
  /** `pnpm <args>` against this database; resolves when the process has ended. */
  cli(args: string[]): Promise<RunResult>;
  /** Opens the database, runs `use`, closes it. Never while a CLI process is running on it. */
  inspect<T>(use: (sql: Sql) => Promise<T>): Promise<T>;
  dispose(): Promise<void>;
}

/** Opens a database before the enclosing block's tests and disposes of it after them; returns a getter. */
export function databaseForSuite(open: () => CliDatabase | Promise<CliDatabase>): () => CliDatabase {
  let db: CliDatabase | undefined;
  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => {
    await db?.dispose();
  });
  return () => {
    if (!db) throw new Error('the database is not open yet: use it inside a test');
    return db;
  };
}

const plain = <R>(rows: Record<string, unknown>[]): R[] =>
  rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v]))) as R[];

/** An embedded database in a fresh temporary folder. */
export function pgliteDatabase(): CliDatabase {
  const dir = tempDir('fangkong-cli-');
  const env = { FANGKONG_DATA_DIR: dir.path, DATABASE_URL: '' };
  return {
    kind: 'pglite',
    env,
    cli: (args) => pnpm(args, env),
    async inspect(use) {
      const db = await openDatabase({ dataDir: dir.path });
      try {
        return await use(async (text) => plain(await db.prisma.$queryRawUnsafe<Record<string, unknown>[]>(text)));
      } finally {
        await db.close();
      }
    },
    async dispose() {
      dir.remove();
    },
  };
}

/** A fresh database on the machine's PostgreSQL, dropped by `dispose`. */
export async function postgresDatabase(label: string): Promise<CliDatabase> {
  const database = await createTestDatabase(label);
  const env = { DATABASE_URL: database.url };
  return {
    kind: 'postgres',
    env,
    cli: (args) => pnpm(args, env),
    async inspect(use) {
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        return await use(async (text) => plain((await client.query(text)).rows));
      } finally {
        await client.end();
      }
    },
    dispose: () => database.drop(),
  };
}

/** Row counts of every table (the outbox included, the migrations record not), keyed by table name. */
export async function tableCounts(sql: Sql): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
     ORDER BY table_name`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const [row] = await sql<{ n: number }>(`SELECT COUNT(*)::int AS n FROM "${name}"`);
    counts[name] = row!.n;
  }
  return counts;
}
