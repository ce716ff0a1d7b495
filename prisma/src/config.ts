import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the default data folder lives there whichever package runs the command. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the data lives: PostgreSQL when `databaseUrl` is set, otherwise embedded PGlite in `dataDir`. */
export interface DatabaseConfig {
  databaseUrl?: string;
  /** From FANGKONG_DATA_DIR (relative paths read from where the command was typed). @default "<repo>/.data" */
  dataDir: string;
}

/** A configuration mistake the operator must fix; printed as one line, never as a stack. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function databaseConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  if (databaseUrl !== undefined) parseDatabaseUrl(databaseUrl);
  const dataDir = env.FANGKONG_DATA_DIR?.trim();
  // pnpm runs scripts inside the package folder; INIT_CWD is where the user typed the command.
  return { databaseUrl, dataDir: dataDir ? resolve(env.INIT_CWD ?? process.cwd(), dataDir) : resolve(repoRoot, '.data') };
}

export function parseDatabaseUrl(databaseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    throw new ConfigError('DATABASE_URL is not a valid URL; expected postgres://user@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(`DATABASE_URL must start with postgres:// or postgresql://, not ${url.protocol}//`);
  }
  if (!url.hostname && !url.searchParams.get('host')) {
    throw new ConfigError('DATABASE_URL names no host; expected postgres://user@host:5432/database');
  }
  return url;
}

/** The URL without its password, for messages and logs. */
export function redactDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
