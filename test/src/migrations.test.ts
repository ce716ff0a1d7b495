import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyMigrations, databaseConfigFromEnv, migrationsDir, openDatabase, pendingSchemaChanges, readMigrations } from '@fangkong/prisma';
import { seedOlderSchema } from './support/older-schema.ts';
import { databaseForSuite, pgliteDatabase, postgresDatabase, type CliDatabase, type Sql } from './support/cli.ts';
import { postgresReachable } from './support/postgres.ts';
import { pnpm, tempDir } from './support/processes.ts';

const committed = readMigrations().migrationDirectories.map((m) => m.path);

function migrating(open: () => Promise<CliDatabase>) {
  const db = databaseForSuite(open);

  it('applies every committed migration and records it in _prisma_migrations', async () => {
    const result = await db().cli(['db:migrate']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`applied ${committed.join(', ')}`);

    const { recorded, tables } = await db().inspect(async (sql) => ({
      recorded: await sql<{ migration_name: string; finished: boolean; rolled_back: boolean }>(
        `SELECT migration_name, finished_at IS NOT NULL AS finished, rolled_back_at IS NOT NULL AS rolled_back
         FROM _prisma_migrations ORDER BY migration_name`,
      ),
      tables: await sql<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`),
    }));
    expect(recorded.map((m) => m.migration_name)).toEqual(committed);
    expect(recorded.every((m) => m.finished && !m.rolled_back)).toBe(true);
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['Checkpoint', 'CheckpointReport', 'OutputReport', 'Event']));
  });

  it('changes nothing when applied a second time', async () => {
    const history = `SELECT id, checksum, migration_name, finished_at FROM _prisma_migrations ORDER BY id`;
    const before = await db().inspect((sql) => sql(history));

    const result = await db().cli(['db:migrate']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('is up to date');

    expect(await db().inspect((sql) => sql(history))).toEqual(before);
  });

  it('keeps new outbox seqs above the stored ones when the events come from another cluster (a restored dump)', async () => {
    // An event whose seq names a transaction id this cluster has not handed out yet, as after
    // restoring a dump of a cluster further along: new events would sort below it and no reader would
    // ever take them. Migrating (as every start does) raises the base so they sort above.
    const restored = await db().inspect(async (sql) => {
      const [row] = await sql<{ seq: string }>(
        `INSERT INTO "Event" (seq, type, "subjectType", "subjectId", payload, actor)
         VALUES ((pg_snapshot_xmax(pg_current_snapshot())::text::bigint + fangkong_outbox_base() + 1000000) << 16, 'seed:loaded', 'Seed', 'restored', '{}', 'test')
         RETURNING seq::text AS seq`,
      );
      return BigInt(row!.seq);
    });
    const result = await db().cli(['db:migrate']);
    expect(result.code, result.stderr).toBe(0);
    const after = await db().inspect(async (sql) => {
      const [row] = await sql<{ seq: string }>(`INSERT INTO "Event" (type, "subjectType", "subjectId", payload, actor) VALUES ('seed:loaded', 'Seed', 'new', '{}', 'test') RETURNING seq::text AS seq`);
      const [position] = await sql<{ seq: string }>(`SELECT fangkong_outbox_position()::text AS seq`);
      return { seq: BigInt(row!.seq), position: BigInt(position!.seq) };
    });
    expect(after.seq).toBeGreaterThan(restored);
    expect(after.position).toBe(after.seq);
    // Once raised, it stays: a second start finds nothing to do.
    const base = `SELECT fangkong_outbox_base()::text AS base`;
    const raised = await db().inspect((sql) => sql(base));
    expect((await db().cli(['db:migrate'])).code).toBe(0);
    expect(await db().inspect((sql) => sql(base))).toEqual(raised);
  });
}

describe('migrations on the embedded database', () => {
  migrating(async () => pgliteDatabase());
});

describe.skipIf(!(await postgresReachable()))('migrations on PostgreSQL', () => {
  migrating(() => postgresDatabase('migrations'));
});

describe('drift between schema.prisma and the migrations', () => {
  it('finds none in the committed migrations', async () => {
    expect(await pendingSchemaChanges()).toBe('');
  });

  it('finds the SQL of a migration that is missing', async () => {
    const copy = tempDir('fangkong-migrations-');
    try {
      cpSync(migrationsDir, copy.path, { recursive: true });
      // The last migration that changes the schema (a migration may only insert rows, such as an
      // alert rule's defaults).
      const changesSchema = (name: string) => /\b(CREATE|ALTER|DROP)\s+(TABLE|TYPE|INDEX|UNIQUE)\b/i.test(readFileSync(join(migrationsDir, name, 'migration.sql'), 'utf8'));
      rmSync(join(copy.path, committed.filter(changesSchema).at(-1)!), { recursive: true });

      const sql = await pendingSchemaChanges(copy.path);
      expect(sql).not.toBe('');
      expect(sql).toMatch(/\b(CREATE|ALTER|DROP)\b/);
    } finally {
      copy.remove();
    }
  });

  it('`pnpm db:migration:create` writes nothing when schema and migrations agree', async () => {
    const before = readdirSync(migrationsDir);
    const result = await pnpm(['db:migration:create', 'x']);
    const written = readdirSync(migrationsDir).filter((name) => !before.includes(name));
    // Never leave a stray migration in the repository, even when the assertion below fails.
    for (const name of written) rmSync(join(migrationsDir, name), { recursive: true, force: true });

    expect(result.code, result.stderr).toBe(0);
    expect(written).toEqual([]);
    expect(result.stdout).toContain('nothing to write');
  });
});

describe('a DATABASE_URL that cannot work', () => {
  it.each([
    ['a URL of another database', 'mysql://x'],
    ['text that is no URL', 'not a url'],
    ['a server nobody listens on', 'postgres://fangkong:s3cret-pw@127.0.0.1:5999/fangkong'],
  ])('%s: `pnpm db:migrate` fails with one line naming DATABASE_URL', async (_case, databaseUrl) => {
    const data = tempDir();
    try {
      const result = await pnpm(['db:migrate'], { DATABASE_URL: databaseUrl, FANGKONG_DATA_DIR: data.path });

      expect(result.code).not.toBe(0);
      const named = result.stderr.split('\n').filter((line) => line.includes('DATABASE_URL'));
      expect(named, result.stderr).toHaveLength(1);
      expect(named[0]).toMatch(/^fangkong: /);
      expect(result.stderr).not.toMatch(/^\s+at /m);
      expect(result.stderr + result.stdout).not.toContain('s3cret-pw');
      expect(readdirSync(data.path)).toEqual([]);
    } finally {
      data.remove();
    }
  });
});

/**
 * The timestamptz migration on a database seeded before it: every stored instant must come through
 * exactly. Before, a timestamp column holds the instant's UTC wall time; after, the timestamptz read
 * in UTC must show the same. The PostgreSQL database defaults its sessions to Asia/Shanghai, so a
 * conversion that read the old values in the session's zone would move them by eight hours.
 */
function convertingInstants(open: () => Promise<CliDatabase>) {
  const db = databaseForSuite(open);
  const timestampColumns = (sql: Sql, type: string) =>
    sql<{ table: string; column: string }>(
      `SELECT table_name AS "table", column_name AS "column" FROM information_schema.columns
       WHERE table_schema = current_schema() AND data_type = '${type}' AND table_name <> '_prisma_migrations'
       ORDER BY table_name, column_name`,
    );
  const fingerprint = async (sql: Sql, columns: { table: string; column: string }[], asUtcText: (column: string) => string) => {
    const out: Record<string, string> = {};
    for (const { table, column } of columns) {
      const [row] = await sql<{ n: number; values: string | null }>(
        `SELECT COUNT("${column}")::int AS n, md5(string_agg(${asUtcText(`"${column}"`)}, ',' ORDER BY ${asUtcText(`"${column}"`)})) AS values FROM "${table}"`,
      );
      out[`${table}.${column}`] = `${row!.n}:${row!.values}`;
    }
    return out;
  };

  it('keeps every stored instant exactly', async () => {
    const convert = committed.find((name) => name.endsWith('_timestamptz'))!;
    const earlier = tempDir('fangkong-migrations-before-');
    try {
      cpSync(join(migrationsDir, 'migration_lock.toml'), join(earlier.path, 'migration_lock.toml'));
      for (const name of committed.filter((name) => name < convert)) cpSync(join(migrationsDir, name), join(earlier.path, name), { recursive: true });
      const database = await openDatabase(databaseConfigFromEnv(db().env));
      try {
        expect(await applyMigrations(database, earlier.path)).not.toContain(convert);
        await seedOlderSchema(database.prisma, { history: true });
      } finally {
        await database.close();
      }

      const before = await db().inspect(async (sql) => {
        const columns = await timestampColumns(sql, 'timestamp without time zone');
        return { columns, values: await fingerprint(sql, columns, (c) => `${c}::text`) };
      });
      expect(before.columns.length).toBeGreaterThanOrEqual(30);
      expect(Object.values(before.values).some((v) => !v.startsWith('0:'))).toBe(true);

      const result = await db().cli(['db:migrate']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(convert);

      const after = await db().inspect(async (sql) => ({
        left: await timestampColumns(sql, 'timestamp without time zone'),
        converted: await timestampColumns(sql, 'timestamp with time zone'),
        values: await fingerprint(sql, before.columns, (c) => `(${c} AT TIME ZONE 'UTC')::text`),
      }));
      expect(after.left).toEqual([]);
      // Later migrations add timestamptz columns of their own (ApiToken.expiresAt): only the old ones are compared.
      const old = (c: { table: string; column: string }) => before.columns.some((b) => b.table === c.table && b.column === c.column);
      expect(after.converted.filter(old)).toEqual(before.columns);
      expect(after.values).toEqual(before.values);
    } finally {
      earlier.remove();
    }
  });
}

describe('the timestamptz migration on the embedded database', () => {
  convertingInstants(async () => pgliteDatabase());
});

describe.skipIf(!(await postgresReachable()))('the timestamptz migration on PostgreSQL', () => {
  convertingInstants(async () => {
    const database = await postgresDatabase('timestamptz');
    const name = new URL(database.env.DATABASE_URL ?? '').pathname.slice(1);
    await database.inspect((sql) => sql(`ALTER DATABASE "${name}" SET timezone TO 'Asia/Shanghai'`));
    return database;
  });
});
