import { parseArgs } from 'node:util';
import { applyMigrations, ConfigError, databaseConfigFromEnv, openDatabase } from '@fangkong/prisma';
import { DEFAULT_TIME_ZONE, dayHourInstant, isTimeZone, parseDay } from '@fangkong/zone';

const USAGE = 'usage: pnpm fangkong audit prune --before <YYYY-MM-DD | ISO instant>';

/**
 * `pnpm fangkong audit prune --before <date>`: deletes audit entries older than the date (a day is
 * its 00:00 in FANGKONG_TZ) and records the pruning itself in the trail. Works on the configured
 * database; the embedded one only while no server holds it (the lock says which process does).
 */
export async function auditCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'prune') throw new ConfigError(USAGE);
  let before: string | undefined;
  try {
    ({ before } = parseArgs({ args: rest, options: { before: { type: 'string' } }, strict: true }).values);
  } catch {
    throw new ConfigError(USAGE);
  }
  const cutoff = cutoffOf(before, env.FANGKONG_TZ?.trim() || DEFAULT_TIME_ZONE);
  const db = await openDatabase(databaseConfigFromEnv(env));
  try {
    await applyMigrations(db);
    const pruned = await db.prisma.$transaction(async (tx) => {
      const { count } = await tx.auditEntry.deleteMany({ where: { at: { lt: cutoff } } });
      await tx.auditEntry.create({
        data: { actor: 'cli:audit prune', action: 'audit:pruned', entityType: 'AuditEntry', entityId: 'before', after: { before: cutoff.toISOString(), count } },
      });
      return count;
    });
    process.stdout.write(`pruned ${pruned} audit ${pruned === 1 ? 'entry' : 'entries'} from before ${cutoff.toISOString()}\n`);
  } finally {
    await db.close();
  }
}

function cutoffOf(before: string | undefined, timeZone: string): Date {
  if (!before) throw new ConfigError(`--before is required; ${USAGE}`);
  if (!isTimeZone(timeZone)) throw new ConfigError(`FANGKONG_TZ: unknown time zone "${timeZone}"`);
  const cutoff = parseDay(before) ? dayHourInstant(before, 0, timeZone) : /^\d{4}-\d{2}-\d{2}T/.test(before) ? new Date(before) : null;
  if (!cutoff || Number.isNaN(cutoff.getTime())) throw new ConfigError(`--before: "${before}" is neither a day (YYYY-MM-DD) nor an ISO instant`);
  if (cutoff.getTime() > Date.now()) throw new ConfigError(`--before: ${before} is in the future; the trail cannot be pruned ahead of time`);
  return cutoff;
}
