import { type DatabaseConfig, databaseConfigFromEnv, ConfigError } from '@fangkong/prisma';
import { assertTimeZone } from '@fangkong/schema';

export interface ServerConfig {
  database: DatabaseConfig;
  /** @default "127.0.0.1" */
  host: string;
  /** 0 picks a free port. @default 4000 */
  port: number;
  /** The zone's time zone; reporting days run 00:00–24:00 there. @default "Asia/Shanghai" */
  timeZone: string;
  /** Add `extensions.sqlStatements` to every response (diagnostics and tests). @default false */
  traceSql: boolean;
  /** Log level: "info" or "debug". @default "info" */
  logLevel: 'info' | 'debug' | 'silent';
  /** Override "now" (ISO instant) for demos and tests; the clock then runs on from it. */
  clockStart?: Date;
}

export function serverConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be an integer 0–65535, not "${env.PORT}"`);
  let timeZone: string;
  try {
    timeZone = assertTimeZone(env.FANGKONG_TZ?.trim() || 'Asia/Shanghai');
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  let clockStart: Date | undefined;
  if (env.FANGKONG_CLOCK_START) {
    clockStart = new Date(env.FANGKONG_CLOCK_START);
    if (Number.isNaN(clockStart.getTime())) throw new ConfigError('FANGKONG_CLOCK_START must be an ISO instant, e.g. 2020-02-07T10:00:00+08:00');
  }
  const logLevel = (env.LOG_LEVEL ?? 'info') as ServerConfig['logLevel'];
  if (!['info', 'debug', 'silent'].includes(logLevel)) throw new ConfigError('LOG_LEVEL must be info, debug or silent');
  return {
    database: databaseConfigFromEnv(env),
    host: env.HOST?.trim() || '127.0.0.1',
    port,
    timeZone,
    traceSql: env.FANGKONG_TRACE_SQL === '1',
    logLevel,
    clockStart,
  };
}
