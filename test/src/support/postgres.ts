import pg from 'pg';

/**
 * PostgreSQL for tests: each run gets its own database on the machine's server, dropped afterwards.
 * Where no server is reachable the PostgreSQL tests are skipped, unless FANGKONG_REQUIRE_POSTGRES=1
 * (CI sets it), in which case they fail.
 */
export const adminUrl = process.env.FANGKONG_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

let reachable: Promise<boolean> | undefined;

export function postgresReachable(): Promise<boolean> {
  reachable ??= (async () => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return true;
    } catch (error) {
      if (process.env.FANGKONG_REQUIRE_POSTGRES === '1') {
        throw new Error(`FANGKONG_REQUIRE_POSTGRES=1 but ${adminUrl} is unreachable: ${(error as Error).message}`);
      }
      return false;
    } finally {
      await client.end().catch(() => {});
    }
  })();
  return reachable;
}

let counter = 0;

/** A fresh, empty database for one test file. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `fangkong_test_${label.replace(/\W/g, '_')}_${process.pid}_${Date.now()}_${counter++}`.toLowerCase();
  await admin((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Runs one query against a database URL and returns the rows. */
export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}
