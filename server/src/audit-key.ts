import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '@fangkong/prisma';
import type { ServerConfig } from './config.ts';
import type { Logger } from './logger.ts';

/** The shortest FANGKONG_AUDIT_KEY accepted: 32 characters (`openssl rand -base64 32` gives 44). */
export const MIN_AUDIT_KEY_LENGTH = 32;

export const auditKeyPath = (dataDir: string) => join(dataDir, 'audit.key');

/**
 * The secret of the audit trail's keyed hashes: FANGKONG_AUDIT_KEY when set (production: every
 * instance must hash alike, and the key must not live beside the database), else `audit.key` in the
 * data folder, made on first start (mode 0600). Losing the key loses only the ability to prove what a
 * hashed field held; the trail stays readable.
 */
export function loadAuditKey(config: ServerConfig, logger: Logger): string {
  return loadSecret({ configured: config.auditKey, variable: 'FANGKONG_AUDIT_KEY', file: 'audit.key', what: 'audit key' }, config, logger);
}

/**
 * The secret gate passes are signed with (FANGKONG_PASS_KEY, else `pass.key` in the data folder), kept
 * out of the database like the audit key. Losing or changing it makes every printed pass unknown.
 */
export function loadPassKey(config: ServerConfig, logger: Logger): string {
  return loadSecret({ configured: config.passKey, variable: 'FANGKONG_PASS_KEY', file: 'pass.key', what: 'pass key' }, config, logger);
}

/** A secret from its variable, or from its file in the data folder, made on first start (mode 0600). */
function loadSecret(secret: { configured?: string; variable: string; file: string; what: string }, config: ServerConfig, logger: Logger): string {
  if (secret.configured) return secret.configured;
  const dir = config.database.dataDir;
  const path = join(dir, secret.file);
  if (config.database.databaseUrl) {
    logger.warn(`${secret.variable} is not set: the ${secret.what} is kept in the data folder; set it so every instance uses the same`, { path });
  }
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    // 'wx': a second process starting at the same moment keeps the first one's key.
    try {
      writeFileSync(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
      logger.info(`${secret.what} created`, { path });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(path, 0o600);
  const key = readFileSync(path, 'utf8').trim();
  if (key.length < MIN_AUDIT_KEY_LENGTH) throw new ConfigError(`${path}: the ${secret.what} is shorter than ${MIN_AUDIT_KEY_LENGTH} characters; remove the file to make a new one`);
  return key;
}
