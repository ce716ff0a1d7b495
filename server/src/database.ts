import { applyMigrations, type Database, openDatabase, seedDatabase } from '@fangkong/prisma';
import { sealStoredAuditEntries } from '@fangkong/schema';
import type { ServerConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { countStatement } from './plugins/use-sql-statement-count.ts';

/**
 * While serving, a database that cannot give a connection within a second is unavailable (503
 * DATABASE_UNAVAILABLE at once, rather than requests waiting on it); commands keep the patient default.
 */
const CONNECT_TIMEOUT_MS = 1000;

/**
 * Opens the database, applies pending migrations, loads the reference data if absent (optionally the
 * simulated history) and seals personal fields that older audit entries hold in clear.
 */
export async function prepareDatabase(config: ServerConfig, logger: Logger, { seedHistory = false, auditKey }: { seedHistory?: boolean; auditKey: string }): Promise<Database> {
  const database = await openDatabase(config.database, { onStatement: config.traceSql ? countStatement : undefined, statementTimeoutMs: config.statementTimeoutMs, connectTimeoutMs: CONNECT_TIMEOUT_MS });
  try {
    const applied = await applyMigrations(database);
    if (applied.length) logger.info('migrations applied', { applied, database: database.location });
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
