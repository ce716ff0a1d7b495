import { applyMigrations, type Database, openDatabase, seedDatabase, type StatementListener } from '@fangkong/prisma';
import { keepDayTotals, sealStoredAuditEntries } from '@fangkong/schema';
import type { ServerConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { countStatement } from './plugins/use-sql-statement-count.ts';
import type { Tracing } from './telemetry/tracing.ts';

/**
 * While serving, a database that cannot give a connection within a second is unavailable (503
 * DATABASE_UNAVAILABLE at once, rather than requests waiting on it); commands keep the patient default.
 */
const CONNECT_TIMEOUT_MS = 1000;

/**
 * Opens the database, applies pending migrations, loads the reference data if absent (optionally the
 * simulated history), keeps day totals for the server’s zone, and seals personal fields that older audit entries hold in clear.
 */
export async function prepareDatabase(
  config: ServerConfig,
  logger: Logger,
  { seedHistory = false, auditKey, tracing }: { seedHistory?: boolean; auditKey: string; tracing?: Tracing | null },
): Promise<Database> {
  // Statements are counted (FANGKONG_TRACE_SQL) and traced (OTEL_*) as they reach the database.
  const listeners = [config.traceSql ? countStatement : null, tracing ? tracing.statement : null].filter((listener) => listener !== null);
  const onStatement: StatementListener | undefined =
    listeners.length > 1
      ? (sql) => {
          const ends = listeners.map((listener) => listener(sql));
          return (error) => {
            for (const end of ends) end?.(error);
          };
        }
      : listeners[0];
  const database = await openDatabase(config.database, { onStatement, statementTimeoutMs: config.statementTimeoutMs, connectTimeoutMs: CONNECT_TIMEOUT_MS });
  try {
    const applied = await applyMigrations(database);
    if (applied.length) logger.info('migrations applied', { applied, database: database.location });
    // Each site's figures per local day of this server's zone, kept by the database from now on.
    await keepDayTotals(database.prisma, config.timeZone);
    const summary = await seedDatabase(database.prisma, { history: seedHistory });
    logger.info('data ready', { database: database.location, summary });
    const sealed = await sealStoredAuditEntries(database.prisma, auditKey);
    if (sealed) logger.info('audit entries sealed', { sealed, why: 'personal fields held in clear are now keyed hashes' });
    return database;
  } catch (error) {
    await database.close();
    throw error;
  }
}
