import { ErrorCode } from '@fangkong/zone';
import { PothosValidationError } from '@pothos/core';
import type { Database } from '@fangkong/prisma';
import { type CommittedEvent, type ExportCodes, type LiveFeed, type ScreenPresence, schema } from '@fangkong/schema';
import { GraphQLError } from 'graphql';
import { createYoga, maskError as defaultMaskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { authenticateToken, requestAuthenticator } from './auth/authentication.ts';
import type { PersistedOperations } from './auth/persisted-operations.ts';
import type { RateLimiter } from './auth/rate-limit.ts';
import type { TokenWatch } from './auth/token-watch.ts';
import { bearer, type TokenStore } from './auth/tokens.ts';
import { graphiqlDefaultQuery, graphiqlLiveQuery, renderOfflineGraphiQL } from './graphiql.ts';
import { createHeavyReads, type HeavyReadOptions } from './heavy-reads.ts';
import type { Logger } from './logger.ts';
import { createAudit } from './plugins/audit.ts';
import { asDatabaseUnavailable, databaseOutageLog, databaseUnavailable } from './plugins/database-unavailable.ts';
import type { ServerContext } from './plugins/guard.ts';
import { useAuthentication } from './plugins/use-authentication.ts';
import { denialTally, useDenialAudit } from './plugins/use-denial-audit.ts';
import { useGraphQLStream } from './plugins/use-graphql-stream.ts';
import { useIntrospectionGate } from './plugins/use-introspection-gate.ts';
import { useLiveAccess } from './plugins/use-live-access.ts';
import { useMetrics } from './plugins/use-metrics.ts';
import type { Metrics } from './telemetry/metrics.ts';
import type { Tracing } from './telemetry/tracing.ts';
import { useOpenTelemetry } from '@envelop/opentelemetry';
import { limitStatus, useLimitStatus } from './plugins/limit-status.ts';
import { useRequestBounds } from './plugins/use-request-bounds.ts';
import { useMalformedParams } from './plugins/use-malformed-params.ts';
import { usePartnerPersistedOnly } from './plugins/use-partner-persisted-only.ts';
import { useRateLimit } from './plugins/use-rate-limit.ts';
import { useReadiness } from './plugins/use-readiness.ts';
import { useResponseSize } from './plugins/use-response-size.ts';
import type { ResponseCache } from './plugins/use-response-cache.ts';
import { countStatements, useSqlStatementCount } from './plugins/use-sql-statement-count.ts';
import { useSharedExecution } from './live/shared-execution.ts';
import { isStatementTimeout, statementTimeoutError } from './plugins/statement-timeout.ts';
import { useValidationErrorCode } from './plugins/use-validation-error-code.ts';

export interface YogaOptions {
  database: Database;
  timeZone: string;
  now: () => Date;
  logger: Logger;
  live: LiveFeed;
  /** Told after every committed write (the live layer publishes it). */
  onCommitted: (event: CommittedEvent) => void;
  tokens: TokenStore;
  /** Ends subscriptions whose token is revoked or expires. */
  tokenWatch: TokenWatch;
  persisted: PersistedOperations;
  rateLimiter: RateLimiter;
  traceSql?: boolean;
  /** Other origins browsers may call from; none: same-origin only. */
  corsOrigins?: string[];
  /** graphql-sse single-connection mode: streams per token, and how long a reservation waits to be connected. */
  streams?: { maxPerToken?: number; reservationTimeoutMs?: number };
  /** Secret of the audit trail's keyed hashes (audit-key.ts). */
  auditKey: string;
  /** Secret gate passes are signed with (audit-key.ts). */
  passKey?: string;
  /** Turns for expensive reads (heavy-reads.ts). */
  heavyReads?: HeavyReadOptions;
  /** The database's statement timeout, to say it when a statement meets it. */
  statementTimeoutMs?: number;
  /** Operation and subscription metrics are recorded here when set (telemetry/metrics.ts). */
  metrics?: Metrics;
  /** Operations are traced when set (telemetry/tracing.ts). */
  tracing?: Tracing | null;
  /** Codes of the standard exports (DHIS2, FHIR); absent: the defaults. */
  exportCodes?: ExportCodes;
  /** This instance's part in the wall displays' registry (screens/screen-presence.ts). */
  screens?: ScreenPresence;
  /** Answers kept until the outbox changes them (plugins/use-response-cache.ts); absent: none kept. */
  responseCache?: ResponseCache;
}

/** What each transport hands to the context factory: the HTTP request, or the WebSocket's connection_init payload. */
interface InitialContext {
  request?: Request;
  /** WebSocket: the HTTP upgrade request, whose headers may carry the token too. */
  upgradeRequest?: { headers: Record<string, string | string[] | undefined> };
  connectionParams?: Record<string, unknown>;
}

/** The bearer token of a request: WebSocket connection_init payload first, then the Authorization header. */
export function tokenOf(initial: InitialContext): string | null {
  const fromInit = initial.connectionParams?.authorization ?? initial.connectionParams?.Authorization;
  if (typeof fromInit === 'string') return bearer(fromInit);
  if (initial.request) return bearer(initial.request.headers.get('authorization'));
  const header = initial.upgradeRequest?.headers.authorization;
  return bearer(typeof header === 'string' ? header : null);
}

export type FangkongYoga = YogaServerInstance<Record<string, unknown>, ServerContext>;

/** The GraphQL endpoint: one context for every transport, expected errors typed, the rest masked. */
export function createFangkongYoga(options: YogaOptions): FangkongYoga {
  const audit = createAudit(options.database.prisma, options.logger);
  const authenticateRequest = requestAuthenticator(options.tokens);
  const heavyRead = createHeavyReads(options.heavyReads);
  const outage = databaseOutageLog(options.logger);
  const plugins: Plugin[] = [
    // First, so every phase of every operation is measured, refusals included.
    ...(options.metrics ? [useMetrics(options.metrics)] : []),
    // A span per operation, named by it; never its document, variables or result (literals and
    // values may be personal data), no span per resolver.
    ...(options.tracing ? [useOpenTelemetry({ variables: false, result: false, resolvers: false, document: false, excludedOperationNames: ['IntrospectionQuery'] }, options.tracing.provider) as Plugin] : []),
    useMalformedParams(),
    useValidationErrorCode(),
    // Limits checked while parsing and validating, so on every transport: depth, aliases, tokens, directives.
    EnvelopArmorPlugin({
      maxDepth: { n: 15, onReject: [limitStatus] },
      maxAliases: { n: 30, onReject: [limitStatus] },
      maxTokens: { n: 2500, onReject: [limitStatus] },
      maxDirectives: { n: 20, onReject: [limitStatus] },
      // Armor's static cost grows geometrically with depth and refuses ordinary connection queries;
      // useResponseSize bounds what the operation will produce, per role, instead (plugins/query-cost.ts).
      costLimit: { enabled: false },
      // Suggestions would map the schema for whoever probes it; GraphiQL users have the docs pane.
      blockFieldSuggestion: { enabled: true },
    }),
    useLimitStatus(),
    // Browsers cannot send this header cross-site without a preflight; JSON POSTs are not "simple" anyway.
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'content-type', 'authorization'] }),
    usePersistedOperations({
      getPersistedOperation: (key) => options.persisted.byHash.get(key) ?? null,
      // Any caller may name a persisted operation; only partners are limited to them (usePartnerPersistedOnly).
      allowArbitraryOperations: true,
      skipDocumentValidation: false,
      // A request with neither is the caller's mistake, said in words (Yoga's default: 200 "PersistedQueryKeyNotFound").
      customErrors: {
        keyNotFound: { message: 'send a query, or the documentId of a persisted operation', extensions: { code: ErrorCode.BadRequest, http: { status: 400 } } },
        notFound: { message: 'no persisted operation has this documentId', extensions: { code: ErrorCode.NotFound, http: { status: 400 } } },
      },
    }),
    // Before every operation executes or subscribes, on every transport, in this order: who is
    // calling, how often, what partners may send, who may explore the schema, how large the answer.
    useAuthentication(authenticateRequest),
    useRateLimit(options.rateLimiter, options.logger, () => options.metrics?.rateLimited.inc()),
    usePartnerPersistedOnly(options.persisted, audit),
    useIntrospectionGate(audit),
    useRequestBounds(),
    useResponseSize(),
    useDenialAudit(audit),
    // After every check above, so a kept answer is refused, counted and priced like a fresh one.
    ...(options.responseCache ? [options.responseCache.plugin(authenticateRequest)] : []),
    useLiveAccess(options.tokenWatch),
    // GraphQL over SSE: Yoga's own on /graphql (Accept: text/event-stream), and graphql-sse's
    // single-connection mode on /graphql/stream.
    useGraphQLStream({
      endpoint: '/graphql/stream',
      authenticate: authenticateRequest,
      logger: options.logger,
      maxStreamsPerToken: options.streams?.maxPerToken,
      reservationTimeoutMs: options.streams?.reservationTimeoutMs,
    }),
    useReadiness(options.database, options.logger),
    // Subscribers of the same operation, variables and access scope share each update's execution
    // (live/shared-execution.ts). With FANGKONG_TRACE_SQL each one is logged with its statements.
    useSharedExecution({
      around: options.traceSql ? (operation, run) => countStatements(run, (statements) => options.logger.info('live execution', { operation, statements })) : undefined,
    }),
  ];
  if (options.traceSql) plugins.push(useSqlStatementCount());
  return createYoga<Record<string, unknown>, ServerContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    batching: false,
    // Same-origin unless origins are configured: no other site's page may read answers with the
    // caller's credentials (Yoga's default reflects any origin).
    cors: options.corsOrigins?.length ? { origin: options.corsOrigins, credentials: true, methods: ['GET', 'POST'] } : false,
    // One context for every transport: the token decides who the caller is (an HTTP request is
    // authenticated once, whoever asks first).
    context: async (initial: InitialContext): Promise<ServerContext> => {
      const { viewer, failure } = initial.request ? await authenticateRequest(initial.request) : await authenticateToken(options.tokens, tokenOf(initial));
      const ctx: ServerContext = {
        prisma: options.database.prisma,
        timeZone: options.timeZone,
        now: options.now,
        viewer,
        authFailure: failure,
        actor: viewer ? `${viewer.role.toLowerCase()}:${viewer.label}` : 'anonymous',
        auditKey: options.auditKey,
        passKey: options.passKey,
        onCommitted: options.onCommitted,
        live: options.live,
        heavyRead,
        exportCodes: options.exportCodes,
        screens: options.screens,
        ...denialTally(),
      };
      return ctx;
    },
    // The page itself needs no token: it asks for one, keeps it in the browser and sends it with
    // every request, subscriptions (over SSE) included (graphiql.ts). Served offline, whole.
    graphiql: {
      title: 'Fangkong 防控 — GraphiQL',
      defaultQuery: graphiqlDefaultQuery,
      defaultTabs: [{ query: graphiqlDefaultQuery }, { query: graphiqlLiveQuery }],
      shouldPersistHeaders: true,
      subscriptionsProtocol: 'SSE',
    },
    renderGraphiQL: renderOfflineGraphiQL,
    logging: {
      debug: (...args) => options.logger.debug(String(args[0]), { args: args.slice(1).map(String) }),
      info: (...args) => options.logger.info(String(args[0])),
      warn: (...args) => options.logger.warn(String(args[0])),
      // Yoga logs what it could not answer itself; an outage is said once per interval, as a warning.
      error: (...args) => {
        if (args.some((a) => outage(a))) return;
        options.logger.error(String(args[0]), { detail: args.slice(1).map((a) => (a instanceof Error ? a.stack : String(a))) });
      },
    },
    maskedErrors: {
      maskError,
    },
    plugins,
  });

  function maskError(error: unknown, message: string, isDev?: boolean): Error {
    if (!(error instanceof GraphQLError)) return outage(error) ? databaseUnavailable() : defaultMaskError(error, message, isDev);
    if (outage(error.originalError)) return asDatabaseUnavailable(error);
    const original = error.originalError;
    // Pothos rejects malformed global IDs and cursors with its own error type: that is bad input.
    // graphql-js's own errors (variable coercion: unknown enum values, wrong types) carry no code
    // and are bad input too; ours already carry one.
    if (original instanceof PothosValidationError || ((!original || original instanceof GraphQLError) && !error.extensions?.code)) {
      return callersMistake(error, ErrorCode.BadUserInput);
    }
    if (!original || original instanceof GraphQLError) return error;
    if (isStatementTimeout(original)) {
      options.logger.warn('statement timeout', { path: error.path?.join('.'), timeoutMs: options.statementTimeoutMs });
      return statementTimeoutError(error, options.statementTimeoutMs ?? 0);
    }
    options.logger.error('unexpected error', { path: error.path?.join('.'), error: original.stack ?? String(original) });
    return defaultMaskError(error, message, isDev);
  }
}

/**
 * A caller's mistake keeps its error object, with the code added: Yoga logs at `error` every error
 * the mask replaces, and a client's bad input is no fault of the server's (nor should its text,
 * which echoes the input, fill the log).
 */
function callersMistake(error: GraphQLError, code: string): GraphQLError {
  (error.extensions as Record<string, unknown>).code = code;
  return error;
}
