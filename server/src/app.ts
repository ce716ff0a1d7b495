import { ErrorCode } from '@fangkong/zone';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, type Database, outboxBacklog, type PrismaClient } from '@fangkong/prisma';
import type { ServerConfig } from './config.ts';
import { prepareDatabase } from './database.ts';
import { createLogger, type Logger } from './logger.ts';
import { Redis } from 'ioredis';
import { listenAdminSocket } from './admin-socket.ts';
import { loadAuditKey, loadPassKey } from './audit-key.ts';
import { startGateSettler } from './gate-settler.ts';
import { loadPersistedOperations } from './auth/persisted-operations.ts';
import { memoryRateLimiter, redisRateLimiter } from './auth/rate-limit.ts';
import { createTokenWatch } from './auth/token-watch.ts';
import { TokenStore } from './auth/tokens.ts';
import { createLocalBus, createRedisBus, type Bus } from './live/bus.ts';
import { createLiveFeed } from './live/live-feed.ts';
import { databaseOutbox, OutboxFollower } from './live/outbox-follower.ts';
import { startAlertEvaluator } from './alerts/alert-evaluator.ts';
import { createScreenPresence } from './screens/screen-presence.ts';
import { createBriefingDocuments } from './http/briefing-documents.ts';
import { startWebhookDeliverer } from './partners/webhook-deliverer.ts';
import { createClientFiles } from './http/client-files.ts';
import { createRestApi } from './http/rest-api.ts';
import { schema, webhookDelivery } from '@fangkong/schema';
import { attachWebSocket } from './transports/websocket.ts';
import { createFangkongYoga } from './yoga.ts';
import { createMetrics, observe } from './telemetry/metrics.ts';
import { listenMetrics } from './telemetry/metrics-listener.ts';
import { inRequestScope, requestIdOf, tracingFromEnv } from './telemetry/tracing.ts';
import { countErrors } from './plugins/use-metrics.ts';
import { createResponseCache } from './plugins/use-response-cache.ts';

export interface App {
  /** Listens on the configured host and port; resolves once accepting connections. */
  start(): Promise<void>;
  /** Stops accepting, lets in-flight requests finish, closes the database. */
  stop(): Promise<void>;
  /** Base URL once started, e.g. http://127.0.0.1:4000 */
  readonly url: string;
  readonly database: Database;
  readonly tokens: TokenStore;
  /** The server's clock: the real one, or the demo's (FANGKONG_CLOCK_START, BuildAppOptions.clockStart). */
  readonly now: () => Date;
}

export interface BuildAppOptions {
  logger?: Logger;
  /** Also load the simulated history of 27 Jan – 9 Feb 2020 (the demo's `pnpm start`). */
  seedHistory?: boolean;
  /**
   * Where the clock starts when FANGKONG_CLOCK_START does not say, decided once the database is
   * ready (the demo continues where its data ends). @default the real clock
   */
  clockStart?: (prisma: PrismaClient) => Promise<Date | undefined>;
}

/** The database made ready (database.ts), then the live layer, GraphQL and HTTP wired around it. */
export async function buildApp(config: ServerConfig, options: BuildAppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const auditKey = loadAuditKey(config, logger);
  const passKey = loadPassKey(config, logger);
  const screens = createScreenPresence({ clientDist: config.clientDist, heartbeatMs: config.screenHeartbeatMs, silentAfterMs: config.screenSilentAfterMs });
  const tracing = tracingFromEnv();
  if (tracing) logger.info('tracing on', { exporter: 'otlp/http', endpoint: process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? process.env.OTEL_EXPORTER_OTLP_ENDPOINT });
  const database = await prepareDatabase(config, logger, { seedHistory: options.seedHistory, auditKey, tracing });

  const clockStart = config.clockStart ?? (await options.clockStart?.(database.prisma));
  const bootedAt = Date.now();
  const now = clockStart ? () => new Date(clockStart.getTime() + (Date.now() - bootedAt)) : () => new Date();
  let bus: Bus;
  try {
    bus = config.redisUrl ? await createRedisBus(config.redisUrl, config.redisPrefix, logger) : createLocalBus();
  } catch (error) {
    await database.close();
    throw new ConfigError((error as Error).message);
  }
  const tokens = new TokenStore(database.prisma);
  const tokenWatch = createTokenWatch(tokens, logger);
  const rateRedis = config.redisUrl ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false }) : null;
  rateRedis?.on('error', () => {});
  const rateLimiter = rateRedis ? redisRateLimiter(rateRedis, config.redisPrefix, config.rateLimit) : memoryRateLimiter(config.rateLimit);
  const follower = new OutboxFollower(databaseOutbox(database.prisma), bus, logger);
  // The response cache's shared store: its own connection, commands wait while Redis is away.
  const cacheRedis = config.redisUrl && config.responseCache ? new Redis(config.redisUrl, { maxRetriesPerRequest: 1 }) : null;
  cacheRedis?.on('error', () => {});
  await follower.start();
  const metrics = config.metricsAddress ? createMetrics() : undefined;
  const live = createLiveFeed(follower, logger, {
    minIntervalMs: config.minIntervalMs,
    maxConcurrent: config.liveRecomputes ?? (database.kind === 'pglite' ? 1 : 3),
    // Labelled by kind of value (zoneSummary, checkpoint, line, …), not per key: keys name sites and days.
    onComputed: metrics && ((key, seconds, failed) => metrics.liveComputations.observe({ value: key.split(/[:@]/)[0]!, outcome: failed ? 'failed' : 'ok' }, seconds)),
  });
  const responseCache = config.responseCache
    ? createResponseCache(schema, { follower, redis: cacheRedis ?? undefined, prefix: config.redisPrefix, now, timeZone: config.timeZone, take: (tokenId) => rateLimiter.take(tokenId), onHit: metrics && ((operationName) => metrics.cacheHits.inc({ operationName: operationName ?? '' })) })
    : undefined;
  const onCommitted = (event: { seq: bigint; type: string }) => {
    responseCache?.committed(event);
    bus.publish(event.seq);
    follower.heard(event.seq);
  };
  const alerts = startAlertEvaluator(follower, { prisma: database.prisma, timeZone: config.timeZone, now, auditKey, onCommitted, screens }, logger, {
    sweepMs: config.alertSweepMs,
  });
  const gateSettler = startGateSettler({ prisma: database.prisma, timeZone: config.timeZone, now, auditKey, passKey, onCommitted }, logger, { everyMs: config.gateSettleMs });
  const webhooks = startWebhookDeliverer(follower, { prisma: database.prisma, timeZone: config.timeZone, now, auditKey, onCommitted }, logger, config.webhooks);
  const persisted = loadPersistedOperations();
  const yoga = createFangkongYoga({
    database,
    timeZone: config.timeZone,
    now,
    logger,
    live,
    tokens,
    tokenWatch,
    persisted,
    rateLimiter,
    traceSql: config.traceSql,
    corsOrigins: config.corsOrigins,
    streams: { maxPerToken: config.sseStreamsPerToken, reservationTimeoutMs: config.sseReservationTimeoutMs },
    auditKey,
    passKey,
    heavyReads: { concurrency: config.heavyReads.concurrency ?? (database.kind === 'pglite' ? 1 : 3), maxWaitMs: config.heavyReads.maxWaitMs },
    statementTimeoutMs: config.statementTimeoutMs,
    exportCodes: config.exportCodes,
    screens,
    onCommitted,
    responseCache,
    metrics,
    tracing,
  });

  const briefingDocuments = createBriefingDocuments({ yoga });
  const rest = createRestApi(yoga, schema, persisted);
  const clientFiles = createClientFiles(config.clientDist);
  if (!clientFiles) logger.warn('no built client; the wall display and report page are off', { expected: config.clientDist, build: 'pnpm --filter @fangkong/client build' });
  const server = createServer((req, res) => {
    // Every request has an id (the caller's X-Request-Id, or one made here): answered in the same
    // header and carried by every log line written while serving it, with the trace id when traced.
    const requestId = requestIdOf(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    inRequestScope(req.headers, requestId, () => handle(req, res));
  });
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return json(res, 200, { status: 'alive' });
    // Liveness stays a route of its own: Yoga's health check answers an empty body, and monitors
    // here read {"status":"alive"}. Readiness is Yoga's (plugins/use-readiness.ts).
    if (path === '/ready') return void yoga.handle(req, res);
    if (path === '/graphql' || path?.startsWith('/graphql/')) {
      const refusal = bodyRefusal(req.method, req.headers);
      if (refusal) return json(res, refusal.status, { errors: [{ message: refusal.message, extensions: { code: refusal.code } }] });
      return void yoga.handle(req, res);
    }
    if (briefingDocuments(req, res)) return;
    if (path === '/api/v1' || path?.startsWith('/api/v1/')) {
      return void rest.handle(req, res).catch((error: unknown) => {
        logger.error('REST request failed', { path, error: (error as Error).stack });
        if (!res.headersSent) json(res, 500, { errors: [{ message: 'Unexpected error.' }] });
      });
    }
    if (clientFiles?.(req, res)) return;
    return json(res, 404, { error: 'not found', see: '/graphql' });
  };
  server.keepAliveTimeout = 65_000;
  const websocket = attachWebSocket(server, yoga, tokens, tokenWatch, logger, {
    connectionInitWaitTimeoutMs: config.wsInitTimeoutMs,
    keepAliveMs: config.wsKeepAliveMs,
    maxPerToken: config.wsMaxPerToken,
    maxPerAddress: config.wsMaxPerAddress,
    maxLifetimeMs: config.wsMaxLifetimeMs,
    onSlowConsumer: () => metrics?.slowConsumersClosed.inc({ transport: 'websocket' }),
    onRefused: (errors) => metrics && countErrors(metrics, errors),
  });
  if (metrics) {
    observe(metrics, {
      outbox: () => outboxBacklog(database.prisma, follower.lastSeq),
      followerSeq: () => follower.lastSeq,
      websockets: () => websocket.open,
      bus: () => ({ kind: bus.kind, connected: bus.connected }),
      pool: database.poolUse,
      webhooks: () => webhookDelivery(database.prisma),
    });
  }
  let metricsListener: Awaited<ReturnType<typeof listenMetrics>> | null = null;
  // Token commands reach an embedded database through the process that holds it.
  const admin = database.kind === 'pglite' ? await listenAdminSocket(config.database.dataDir, tokens, logger) : null;

  let url = '';
  return {
    database,
    tokens,
    now,
    get url() {
      return url;
    },
    start: () =>
      new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.port, config.host, () => {
          const { port } = server.address() as AddressInfo;
          url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
          logger.info('listening', { url, graphql: `${url}/graphql`, timeZone: config.timeZone, bus: bus.kind });
          if (!metrics || !config.metricsAddress) return resolve();
          listenMetrics(metrics, config.metricsAddress, logger).then((listener) => {
            metricsListener = listener;
            resolve();
          }, reject);
        });
      }),
    async stop() {
      admin?.close();
      await metricsListener?.close();
      const alertsStopped = alerts.stop();
      await gateSettler.stop();
      const webhooksStopped = webhooks.stop();
      follower.stop();
      responseCache?.close();
      await alertsStopped;
      await webhooksStopped;
      tokenWatch.close();
      live.close();
      await websocket.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Requests still running after 10 s are cut so shutdown always ends.
        setTimeout(() => server.closeAllConnections(), 10_000).unref();
      });
      await yoga.dispose();
      await bus.close();
      rateRedis?.disconnect();
      cacheRedis?.disconnect();
      await database.close();
      await tracing?.shutdown();
      logger.info('stopped');
    },
  };
}

/** Request bodies are capped before any parsing: 512 KiB, with a declared length. */
export const MAX_BODY_BYTES = 512 * 1024;

function bodyRefusal(method: string | undefined, headers: IncomingHttpHeaders) {
  if (method !== 'POST') return null;
  const length = Number(headers['content-length']);
  if (headers['content-length'] === undefined) return { status: 411, code: ErrorCode.LengthRequired, message: 'send a Content-Length header' };
  if (!Number.isFinite(length) || length > MAX_BODY_BYTES) {
    return { status: 413, code: ErrorCode.PayloadTooLarge, message: `request bodies are limited to ${MAX_BODY_BYTES} bytes` };
  }
  return null;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
