import { type DatabaseConfig, databaseConfigFromEnv, ConfigError } from '@fangkong/prisma';
import { LOG_LEVELS, type LogLevel } from './logger.ts';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { type ExportCodes, exportCodes } from '@fangkong/schema';
import { fileURLToPath } from 'node:url';
import { DEFAULT_TIME_ZONE, isTimeZone } from '@fangkong/zone';

const defaultClientDist = fileURLToPath(new URL('../../client/dist', import.meta.url));

export interface ServerConfig {
  database: DatabaseConfig;
  /** @default "127.0.0.1" */
  host: string;
  /** 0 picks a free port. @default 4000 */
  port: number;
  /** The zone's time zone; reporting days run 00:00–24:00 there. @default "Asia/Shanghai" */
  timeZone: string;
  /** Add `extensions.sqlStatements` and `extensions.sqlRows` to every response (diagnostics and tests). @default false */
  traceSql: boolean;
  /** Log level. @default "info" */
  logLevel: LogLevel;
  /** Override "now" (ISO instant) for demos and tests; the clock then runs on from it. */
  clockStart?: Date;
  /** Redis for fan-out between instances; without it, an in-process bus. From REDIS_URL. */
  redisUrl?: string;
  /** Prefix of Redis keys and channels; instances of one deployment share it. @default "fangkong:" */
  redisPrefix: string;
  /** At most one aggregate update per subscription key per this interval. @default 250 */
  minIntervalMs: number;
  /** How often the alert rules about time (silent sites, overdue work, isolation follow-up) are swept. @default 30000 */
  alertSweepMs: number;
  /** Wall displays: the heartbeat an instance writes for each screen connection it holds (and how often screens report). @default 10000 */
  screenHeartbeatMs: number;
  /** Wall displays: a screen without a heartbeat for this long is silent. @default 30000 */
  screenSilentAfterMs: number;
  /** WebSocket clients must send connection_init within this time. @default 5000 */
  wsInitTimeoutMs: number;
  /** A WebSocket is pinged this often; one that has not read the previous ping is closed with 4413. */
  wsKeepAliveMs: number;
  /** graphql-sse single-connection streams one token may hold, connected or not. @default 10 */
  sseStreamsPerToken: number;
  /** A reserved stream (graphql-sse PUT) nobody connects to within this is freed. @default 30000 */
  sseReservationTimeoutMs: number;
  /** WebSockets one token may hold open at once; 0: no cap. @default 100 */
  wsMaxPerToken: number;
  /** WebSockets one remote address may hold open, initialised or not; 0: no cap (e.g. behind a proxy). @default 200 */
  wsMaxPerAddress: number;
  /** The longest a WebSocket stays open; then it is closed with 4414 and the client reconnects. @default 86400000 (24 h) */
  wsMaxLifetimeMs: number;
  /** Operations per token per window (shared through Redis when REDIS_URL is set). @default 600 per 60 s */
  rateLimit: { limit: number; windowMs: number };
  /** Browser origins other than the server's own that may call the API (CORS). @default none: same-origin only */
  corsOrigins: string[];
  /** PostgreSQL stops a statement running longer than this; 0: no limit. @default 5000 */
  statementTimeoutMs: number;
  /**
   * Expensive statements (chart series) running at once, and how long one waits for its turn.
   * @default 3 on PostgreSQL, 1 on the embedded database (it runs one statement at a time); 2000 ms
   */
  heavyReads: { concurrency?: number; maxWaitMs: number };
  /** Live values computing at once (FANGKONG_LIVE_RECOMPUTES); unset: 3 on PostgreSQL, 1 embedded. */
  liveRecomputes?: number;
  /** The built client served at / and /report. @default "<repo>/client/dist" */
  clientDist: string;
  /** Secret of the audit trail's keyed hashes of personal fields. @default a key made in the data folder */
  auditKey?: string;
  /** Where Prometheus scrapes `/metrics`: an address of its own, reachable only by the monitoring network. @default off */
  metricsAddress?: { host: string; port: number };
  /** Secret gate passes are signed with. @default a key made in the data folder */
  passKey?: string;
  /** How often hours of gate scans that are over are counted into reports. @default 60000 */
  gateSettleMs: number;
  /** Webhook delivery (partners/webhook-deliverer.ts): request timeout, retry backoff bounds, and how long an endpoint may fail before it is paused. */
  webhooks: { timeoutMs: number; retryBaseMs: number; retryMaxMs: number; pauseAfterMs: number };
  /** Codes of the DHIS2 and FHIR exports (a JSON file laid over the defaults). From FANGKONG_EXPORT_CODES. */
  exportCodes?: ExportCodes;
  /** Keep answers to queries until the outbox changes them (plugins/use-response-cache.ts). From FANGKONG_RESPONSE_CACHE. @default true */
  responseCache: boolean;
}

/**
 * The server's settings from the environment, each variable checked with a message naming it. Kept
 * hand-written: a dozen variables, each one rule and one sentence; a schema library would restate
 * the same rules in its own vocabulary and word the errors less precisely.
 */
export function serverConfigFromEnv(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be an integer 0–65535, not "${env.PORT}"`);
  const timeZone = env.FANGKONG_TZ?.trim() || DEFAULT_TIME_ZONE;
  if (!isTimeZone(timeZone)) throw new ConfigError(`FANGKONG_TZ: unknown time zone "${timeZone}"; use an IANA name such as Asia/Shanghai`);
  let clockStart: Date | undefined;
  if (env.FANGKONG_CLOCK_START) {
    clockStart = new Date(env.FANGKONG_CLOCK_START);
    if (Number.isNaN(clockStart.getTime())) throw new ConfigError('FANGKONG_CLOCK_START must be an ISO instant, e.g. 2020-02-07T10:00:00+08:00');
  }
  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  return {
    database: databaseConfigFromEnv(env),
    host: env.HOST?.trim() || '127.0.0.1',
    port,
    timeZone,
    traceSql: env.FANGKONG_TRACE_SQL === '1',
    logLevel,
    clockStart,
    redisUrl: env.REDIS_URL?.trim() || undefined,
    redisPrefix: env.FANGKONG_REDIS_PREFIX?.trim() || 'fangkong:',
    minIntervalMs: positiveInt(env.FANGKONG_MIN_INTERVAL_MS, 'FANGKONG_MIN_INTERVAL_MS', 250),
    alertSweepMs: positiveInt(env.FANGKONG_ALERT_SWEEP_MS, 'FANGKONG_ALERT_SWEEP_MS', 30_000),
    screenHeartbeatMs: atLeastOne(env.FANGKONG_SCREEN_HEARTBEAT_MS ?? '10000', 'FANGKONG_SCREEN_HEARTBEAT_MS'),
    screenSilentAfterMs: atLeastOne(env.FANGKONG_SCREEN_SILENT_AFTER_MS ?? '30000', 'FANGKONG_SCREEN_SILENT_AFTER_MS'),
    exportCodes: env.FANGKONG_EXPORT_CODES ? readExportCodes(env.FANGKONG_EXPORT_CODES) : undefined,
    webhooks: {
      timeoutMs: positiveInt(env.FANGKONG_WEBHOOK_TIMEOUT_MS, 'FANGKONG_WEBHOOK_TIMEOUT_MS', 10_000),
      retryBaseMs: positiveInt(env.FANGKONG_WEBHOOK_RETRY_BASE_MS, 'FANGKONG_WEBHOOK_RETRY_BASE_MS', 1000),
      retryMaxMs: positiveInt(env.FANGKONG_WEBHOOK_RETRY_MAX_MS, 'FANGKONG_WEBHOOK_RETRY_MAX_MS', 300_000),
      pauseAfterMs: positiveInt(env.FANGKONG_WEBHOOK_PAUSE_AFTER_MS, 'FANGKONG_WEBHOOK_PAUSE_AFTER_MS', 86_400_000),
    },
    wsInitTimeoutMs: positiveInt(env.FANGKONG_WS_INIT_TIMEOUT_MS, 'FANGKONG_WS_INIT_TIMEOUT_MS', 5000),
    wsKeepAliveMs: positiveInt(env.FANGKONG_WS_KEEPALIVE_MS, 'FANGKONG_WS_KEEPALIVE_MS', 15_000),
    sseStreamsPerToken: positiveInt(env.FANGKONG_SSE_STREAMS_PER_TOKEN, 'FANGKONG_SSE_STREAMS_PER_TOKEN', 10),
    sseReservationTimeoutMs: positiveInt(env.FANGKONG_SSE_RESERVATION_TIMEOUT_MS, 'FANGKONG_SSE_RESERVATION_TIMEOUT_MS', 30_000),
    wsMaxPerToken: positiveInt(env.FANGKONG_WS_MAX_PER_TOKEN, 'FANGKONG_WS_MAX_PER_TOKEN', 100),
    wsMaxPerAddress: positiveInt(env.FANGKONG_WS_MAX_PER_ADDRESS, 'FANGKONG_WS_MAX_PER_ADDRESS', 200),
    wsMaxLifetimeMs: positiveInt(env.FANGKONG_WS_MAX_LIFETIME_MS, 'FANGKONG_WS_MAX_LIFETIME_MS', 86_400_000),
    rateLimit: { limit: positiveInt(env.FANGKONG_RATE_LIMIT, 'FANGKONG_RATE_LIMIT', 600), windowMs: 60_000 },
    corsOrigins: origins(env.FANGKONG_CORS_ORIGINS),
    statementTimeoutMs: positiveInt(env.FANGKONG_STATEMENT_TIMEOUT_MS, 'FANGKONG_STATEMENT_TIMEOUT_MS', 5000),
    liveRecomputes: env.FANGKONG_LIVE_RECOMPUTES ? atLeastOne(env.FANGKONG_LIVE_RECOMPUTES, 'FANGKONG_LIVE_RECOMPUTES') : undefined,
    heavyReads: {
      concurrency: env.FANGKONG_HEAVY_READS ? atLeastOne(env.FANGKONG_HEAVY_READS, 'FANGKONG_HEAVY_READS') : undefined,
      maxWaitMs: positiveInt(env.FANGKONG_HEAVY_READ_WAIT_MS, 'FANGKONG_HEAVY_READ_WAIT_MS', 2000),
    },
    clientDist: resolve(env.INIT_CWD ?? process.cwd(), env.FANGKONG_CLIENT_DIST?.trim() || defaultClientDist),
    auditKey: secretKey(env.FANGKONG_AUDIT_KEY, 'FANGKONG_AUDIT_KEY'),
    passKey: secretKey(env.FANGKONG_PASS_KEY, 'FANGKONG_PASS_KEY'),
    gateSettleMs: atLeastOne(env.FANGKONG_GATE_SETTLE_MS ?? '60000', 'FANGKONG_GATE_SETTLE_MS'),
    metricsAddress: listenAddress(env.FANGKONG_METRICS_ADDRESS, 'FANGKONG_METRICS_ADDRESS'),
    responseCache: onOff(env.FANGKONG_RESPONSE_CACHE, 'FANGKONG_RESPONSE_CACHE', true),
  };
}

function onOff(value: string | undefined, name: string, fallback: boolean): boolean {
  const text = value?.trim().toLowerCase();
  if (!text) return fallback;
  if (text === 'on') return true;
  if (text === 'off') return false;
  throw new ConfigError(`${name} must be on or off, not "${value}"`);
}

/** `host:port` (`[::1]:9464` for IPv6); port 0 picks a free one. */
function listenAddress(value: string | undefined, name: string): { host: string; port: number } | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new ConfigError(`${name} must be host:port, e.g. 127.0.0.1:9464, not "${text}"`);
  return { host: (match[1] ?? match[2])!, port };
}

function secretKey(value: string | undefined, name: string): string | undefined {
  const key = value?.trim();
  if (!key) return undefined;
  if (key.length < 32) throw new ConfigError(`${name} must be at least 32 characters, e.g. the output of \`openssl rand -base64 32\``);
  return key;
}

function readExportCodes(path: string): ExportCodes {
  try {
    return exportCodes(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    throw new ConfigError(`FANGKONG_EXPORT_CODES (${path}): ${(error as Error).message}`);
  }
}

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a whole number ≥ 0, not "${value}"`);
  return n;
}

function atLeastOne(value: string, name: string): number {
  const n = positiveInt(value, name, 1);
  if (n < 1) throw new ConfigError(`${name} must be a whole number ≥ 1, not "${value}"`);
  return n;
}

/** A comma-separated list of origins, each exactly `scheme://host[:port]`. */
function origins(value: string | undefined): string[] {
  const list = (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
  for (const item of list) {
    let origin: string | undefined;
    try {
      origin = new URL(item).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== item) throw new ConfigError(`FANGKONG_CORS_ORIGINS: "${item}" is not an origin; write scheme://host[:port], e.g. https://city.example`);
  }
  return list;
}
