import { mkdirSync, openSync, closeSync, readFileSync, writeFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlDriverAdapterFactory, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/client/client.ts';
import { type DatabaseConfig, ConfigError, redactDatabaseUrl } from './config.ts';
import { countStatements, type StatementListener } from './statement-counter.ts';
import { type AvailabilityTimeouts, CONNECT_TIMEOUT_MS, clientWithSilenceProbe, SILENCE_PROBE_MS } from './availability.ts';

export type DatabaseKind = 'pglite' | 'postgres';

/** An open database: the Prisma client, the adapter factory migrations use, and how to close it. */
export interface Database {
  kind: DatabaseKind;
  prisma: PrismaClient;
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /** Human-readable location, password removed. */
  location: string;
  /** PostgreSQL: the queries' connection pool now (monitoring). The embedded database has none. */
  poolUse?: () => { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

export interface OpenDatabaseOptions extends AvailabilityTimeouts {
  /** Called for every SQL statement sent (statement-count checks, tracing). */
  onStatement?: StatementListener;
  /** Pool size for PostgreSQL. @default 10 */
  poolSize?: number;
  /**
   * PostgreSQL stops any statement of the client's that runs longer than this (its `statement_timeout`,
   * set on every connection; lock waits count). Migrations are not bound by it. PGlite runs in-process
   * and cannot interrupt a statement: there, statements are kept short instead. 0: no limit. @default 0
   */
  statementTimeoutMs?: number;
}

/**
 * Contrib extensions every embedded database loads: the migrations create them (btree_gist lets the
 * report tables' exclusion constraints compare ids with `=`), and PostgreSQL ships them as standard.
 */
export const pgliteExtensions = { btree_gist };

/**
 * The PGlite adapter factory, whose shadow database (Prisma's scratch copy for diffs) loads the
 * extensions too: the adapter's own creates a bare PGlite, on which the migrations cannot run.
 */
export class PGliteAdapterFactory extends PrismaPGlite {
  override connectToShadowDb() {
    return new PrismaPGlite(new PGlite({ dataDir: 'memory://shadow', extensions: pgliteExtensions })).connect();
  }
}

/** The one client factory: embedded PGlite by default, PostgreSQL when DATABASE_URL is set. */
export async function openDatabase(config: DatabaseConfig, options: OpenDatabaseOptions = {}): Promise<Database> {
  return config.databaseUrl ? openPostgres(config.databaseUrl, options) : openPglite(config.dataDir, options);
}

async function openPostgres(databaseUrl: string, options: OpenDatabaseOptions): Promise<Database> {
  const location = redactDatabaseUrl(databaseUrl);
  // An unreachable database is said within the connect timeout (connect, or wait for a free
  // connection), and a connection gone silent in a partition is found out and closed (availability.ts).
  const connectTimeoutMs = options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const poolConfig = {
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: connectTimeoutMs,
    Client: clientWithSilenceProbe({ connectionString: databaseUrl }, options.silenceProbeMs ?? SILENCE_PROBE_MS, connectTimeoutMs),
  };
  // Migrations get a factory of their own: a schema change on a large table may rightly run long.
  const adapterFactory = new PrismaPg(poolConfig);
  // The queries' pool is made here, not by the adapter, so its use can be watched; the adapter ends it.
  const pool = new pg.Pool(options.statementTimeoutMs ? { ...poolConfig, statement_timeout: options.statementTimeoutMs } : poolConfig);
  // An idle connection the server drops (a restart, a dropped database) must not crash the process.
  pool.on('error', () => {});
  const queries = new PrismaPg(pool, { disposeExternalPool: true });
  const prisma = new PrismaClient({ adapter: wrap(queries, options.onStatement) });
  try {
    await prisma.$queryRaw`SELECT 1`;
  } catch (error) {
    await prisma.$disconnect().catch(() => {});
    throw new ConfigError(`DATABASE_URL: cannot reach ${location} (${describe(error)})`);
  }
  const poolUse = () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
  return { kind: 'postgres', prisma, adapterFactory, location, poolUse, close: () => prisma.$disconnect() };
}

async function openPglite(dataDir: string, options: OpenDatabaseOptions): Promise<Database> {
  mkdirSync(dataDir, { recursive: true });
  const releaseLock = lockDataDir(dataDir);
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({ dataDir: join(dataDir, 'pglite'), extensions: pgliteExtensions });
  } catch (error) {
    releaseLock();
    throw new ConfigError(`FANGKONG_DATA_DIR: cannot open the embedded database in ${dataDir} (${describe(error)})`);
  }
  const adapterFactory = new PGliteAdapterFactory(pglite);
  const prisma = new PrismaClient({ adapter: wrap(adapterFactory, options.onStatement) });
  return {
    kind: 'pglite',
    prisma,
    adapterFactory,
    location: `embedded PGlite in ${dataDir}`,
    async close() {
      await prisma.$disconnect();
      await pglite.close();
      releaseLock();
    },
  };
}

function wrap(factory: SqlMigrationAwareDriverAdapterFactory, onStatement?: StatementListener): SqlDriverAdapterFactory {
  return onStatement ? countStatements(factory, onStatement) : factory;
}

/**
 * PGlite is a single-process database: two processes on one folder would corrupt it. A lock file
 * with the owner's pid turns that into a clear error; a lock left by a dead process is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const lockPath = join(dataDir, 'fangkong.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(lockPath);
        } catch {}
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockPath, 'utf8'));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new ConfigError(
          `FANGKONG_DATA_DIR: the embedded database in ${dataDir} is in use by process ${owner} (a running Fangkong server?); stop it or use its API`,
        );
      }
      unlinkSync(lockPath);
    }
  }
  writeFileSync(lockPath, String(process.pid));
  return () => {};
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describe(error: unknown): string {
  const e = error as { message?: string; meta?: { driverAdapterError?: { cause?: Record<string, unknown> } } } | undefined;
  const cause = e?.meta?.driverAdapterError?.cause;
  if (cause?.kind) {
    const where = cause.host ? ` at ${String(cause.host)}${cause.port ? `:${String(cause.port)}` : ''}` : '';
    const detail = cause.originalMessage ?? cause.message ?? cause.db ?? cause.user;
    return `${String(cause.kind)}${where}${detail ? `: ${String(detail)}` : ''}`;
  }
  return (e?.message ?? String(error)).split('\n').find((line) => line.trim()) ?? 'unknown error';
}
