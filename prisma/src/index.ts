export { databaseConfigFromEnv, ConfigError, parseDatabaseUrl, redactDatabaseUrl, type DatabaseConfig } from './config.ts';
export { openDatabase, pgliteExtensions, type Database, type DatabaseKind, type OpenDatabaseOptions } from './database.ts';
export { applyMigrations, createMigration, pendingSchemaChanges, readMigrations, migrationsDir, schemaPath } from './migrations.ts';
export { seedDatabase, type SeedOptions } from './seed/seed.ts';
export type { StatementListener } from './statement-counter.ts';
export * from './generated/client/client.ts';
export { getDatamodel } from './generated/pothos-types.ts';
export type { default as PrismaTypes } from './generated/pothos-types.ts';
export { lockOutbox } from './outbox.ts';
