import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import { type Database, PGliteAdapterFactory, pgliteExtensions } from './database.ts';
import { ensureOutboxPositions } from './outbox.ts';
import { startSchemaEngine } from './schema-engine.ts';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const schemaPath = join(packageDir, 'schema.prisma');
export const migrationsDir = join(packageDir, 'migrations');

const noFilters = { externalTables: [], externalEnums: [] };

function readDatamodel() {
  return { path: schemaPath, content: readFileSync(schemaPath, 'utf8') };
}

/** The migrations folder in the shape the engine takes (Prisma's standard layout). */
export function readMigrations(dir = migrationsDir): MigrationList {
  const lockPath = join(dir, 'migration_lock.toml');
  const names = existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()
    : [];
  return {
    baseDir: dir,
    lockfile: { path: 'migration_lock.toml', content: existsSync(lockPath) ? readFileSync(lockPath, 'utf8') : null },
    shadowDbInitScript: '',
    migrationDirectories: names.map((name) => {
      const file = join(dir, name, 'migration.sql');
      return {
        path: name,
        migrationFile: {
          path: 'migration.sql',
          content: existsSync(file) ? { tag: 'ok', value: readFileSync(file, 'utf8') } : { tag: 'error', value: `${file} is missing` },
        },
      };
    }),
  };
}

async function withEngine<T>(adapterFactory: Database['adapterFactory'], run: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const engine = await startSchemaEngine(readDatamodel(), adapterFactory);
  try {
    return await run(engine);
  } finally {
    engine.free();
  }
}

/**
 * Applies pending migrations (as `prisma migrate deploy` would) from `dir` (the committed ones by
 * default), then makes sure new outbox events sort after the stored ones (outbox.ts: a restored dump
 * starts transaction ids again); returns the names applied.
 */
export async function applyMigrations(db: Database, dir = migrationsDir): Promise<string[]> {
  const result = await withEngine(db.adapterFactory, (engine) =>
    engine.applyMigrations({ migrationsList: readMigrations(dir), filters: noFilters }),
  );
  await ensureOutboxPositions(db.prisma);
  return result.appliedMigrationNames;
}

/**
 * SQL that would bring the committed migrations up to schema.prisma; empty when they agree.
 * Runs the migrations on a throwaway in-memory PGlite, so it needs no configured database.
 */
export async function pendingSchemaChanges(dir = migrationsDir): Promise<string> {
  const scratch = new PGlite({ extensions: pgliteExtensions });
  try {
    const result = await withEngine(new PGliteAdapterFactory(scratch), (engine) =>
      engine.diff({
        from: { tag: 'migrations', ...readMigrations(dir) },
        to: { tag: 'schemaDatamodel', files: [readDatamodel()] },
        script: true,
        exitCode: false,
        filters: noFilters,
      } as Parameters<SchemaEngine['diff']>[0]),
    );
    const sql = (result.stdout ?? '').trim();
    return sql === '-- This is an empty migration.' ? '' : sql;
  } finally {
    await scratch.close();
  }
}

/** Writes the next migration folder from the schema diff; returns its path, or null when nothing changed. */
export async function createMigration(name: string, now = new Date()): Promise<string | null> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error('migration name: use lower-case letters, digits and underscores');
  const sql = await pendingSchemaChanges();
  if (!sql) return null;
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const dir = join(migrationsDir, `${stamp}_${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'migration.sql'), `${sql}\n`);
  return dir;
}
