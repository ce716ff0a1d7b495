import { ErrorCode, CloseCode } from '@fangkong/zone';
import type { IncomingMessage, Server } from 'node:http';
import { isDatabaseUnavailable } from '@fangkong/prisma';
import { type DocumentNode, type ExecutionArgs, getOperationAST, GraphQLError } from 'graphql';
import { randomUUID } from 'node:crypto';
import { MessageType, type SubscribePayload } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { serialisedOnce } from '../live/shared-execution.ts';
import type { TokenWatch } from '../auth/token-watch.ts';
import type { TokenStore } from '../auth/tokens.ts';
import type { Logger } from '../logger.ts';
import { withCode } from '../plugins/with-code.ts';
import { databaseOutageLog, databaseUnavailable } from '../plugins/database-unavailable.ts';
import { tokenOf, type FangkongYoga } from '../yoga.ts';

export interface WebSocketOptions {
  /** Close sockets that send no connection_init in time (4408). @default 5000 */
  connectionInitWaitTimeoutMs?: number;
  /** Subscriptions one socket may hold at once. @default 50 */
  maxSubscriptionsPerConnection?: number;
  /** Ping every socket this often; one that misses a pong is dropped. @default 15000 */
  keepAliveMs?: number;
  /** A socket whose unsent data exceeds this is too slow: closed so it can resume by cursor. @default 8 MiB */
  maxBufferedBytes?: number;
  /** Sockets one token may hold at once; 0: no cap. @default 100 */
  maxPerToken?: number;
  /** Sockets one remote address may hold at once, initialised or not; 0: no cap. @default 200 */
  maxPerAddress?: number;
  /** The longest a socket stays open before it is closed with 4414 (reconnect). @default 24 h */
  maxLifetimeMs?: number;
  /** Told when a socket is closed for a consumer too slow to keep up (4413). */
  onSlowConsumer?: () => void;
  /** Told of the errors an operation is refused with (metrics). */
  onRefused?: (errors: readonly GraphQLError[]) => void;
}

type SocketExtra = { request: IncomingMessage; socket: WebSocket };

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> => typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';

/** What onSubscribe hands graphql-ws as the root value: the operation's result, already obtained. */
type Prepared = { result: unknown };

const isErrorList = (value: ExecutionArgs | readonly unknown[]): value is readonly unknown[] => Array.isArray(value);

/**
 * Serialising a result once for all its subscribers. graphql-ws writes each `next` message as
 * JSON.stringify({ id, type, payload }) with our replacer; the replacer answers the payload (a result
 * shared by every subscriber of the same subscription, shared-execution.ts) with a marker and hands
 * the result's JSON, made once, to the socket's send, which is called in the same synchronous step
 * (graphql-ws: `socket.send(stringifyMessage(…))`). The socket splices it in: per subscriber only the
 * envelope with its id is written, the payload's bytes are copied. The marker is random per process
 * and stands where only the payload's object could be, so no data can forge it.
 */
const SHARED_PAYLOAD = `fangkong-shared-payload-${randomUUID()}`;
const SHARED_TAIL = `"payload":"${SHARED_PAYLOAD}"}`;
const CLOSING_BRACE = Buffer.from('}');
let handoff: Buffer | undefined;

function sharedPayloadReplacer(this: unknown, key: string, value: unknown): unknown {
  if (key === 'payload' && value !== null && typeof value === 'object' && (this as { type?: unknown }).type === MessageType.Next) {
    handoff = serialisedOnce(value);
    return SHARED_PAYLOAD;
  }
  return value;
}

/** ws's socket, with `next` messages' payloads spliced in from their one serialisation. */
class LiveSocket extends WebSocket {
  override send(data: unknown, ...rest: unknown[]): void {
    if (typeof data === 'string' && data.endsWith(SHARED_TAIL) && handoff) {
      const payload = handoff;
      handoff = undefined;
      const envelope = Buffer.from(`${data.slice(0, -SHARED_TAIL.length)}"payload":`);
      const cb = rest.find((r) => typeof r === 'function') as ((error?: Error) => void) | undefined;
      super.send(Buffer.concat([envelope, payload, CLOSING_BRACE]), { binary: false }, cb);
      return;
    }
    (super.send as (...args: unknown[]) => void)(data, ...rest);
  }
}

/** Open sockets per key (token or address), each counted once and released once. */
class SocketCounts {
  private readonly counts = new Map<string, number>();
  constructor(readonly max: number) {}
  /** Counts the socket under the key until it closes; false (and not counted) when the key is full. */
  take(key: string, socket: WebSocket): boolean {
    const held = this.counts.get(key) ?? 0;
    if (this.max > 0 && held >= this.max) return false;
    this.counts.set(key, held + 1);
    socket.once('close', () => {
      const left = (this.counts.get(key) ?? 1) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    });
    return true;
  }
}

/**
 * graphql-ws on the GraphQL endpoint. The token is checked once in connection_init: a socket is
 * acknowledged only for a valid token, so nothing is validated or run for anyone else. Operations
 * go through yoga.getEnveloped, so WebSocket gets the same context, plugins, validation and error
 * masking as HTTP.
 */
export function attachWebSocket(server: Server, yoga: FangkongYoga, tokens: TokenStore, tokenWatch: TokenWatch, logger: Logger, options: WebSocketOptions = {}) {
  const outage = databaseOutageLog(logger);
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: 512 * 1024, WebSocket: LiveSocket });
  const closeTooSlow = (socket: WebSocket) => {
    options.onSlowConsumer?.();
    socket.close(CloseCode.ConsumerTooSlow, 'Consumer too slow: reconnect and resume events from your last cursor');
  };
  const maxSubscriptions = options.maxSubscriptionsPerConnection ?? 50;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const active = new WeakMap<object, number>();
  const perToken = new SocketCounts(options.maxPerToken ?? 100);
  const perAddress = new SocketCounts(options.maxPerAddress ?? 200);
  const maxLifetime = options.maxLifetimeMs ?? 86_400_000;

  /**
   * Parses, validates and starts one operation through Yoga's envelope; the errors of a refusal
   * before execution (a result with errors and no data), or the execution arguments carrying the
   * result to deliver.
   */
  async function prepare(extra: SocketExtra, connectionParams: Record<string, unknown> | undefined, payload: SubscribePayload): Promise<ExecutionArgs | readonly unknown[]> {
    // No `request` key: Yoga would read the upgrade GET as the operation's method and refuse mutations.
    const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
      upgradeRequest: extra.request,
      socket: extra.socket,
      connectionParams,
      params: payload,
    });
    const document: DocumentNode = parse(payload.query);
    const errors = validate(schema, document);
    if (errors.length) return errors;
    const operation = getOperationAST(document, payload.operationName);
    if (!operation) return [new GraphQLError('send one operation, or name the one to run in operationName', { extensions: { code: ErrorCode.BadRequest } })];
    const args: ExecutionArgs = {
      schema,
      document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue: await contextFactory(),
    };
    const result = operation.operation === 'subscription' ? await subscribe(args) : await execute(args);
    if (!isAsyncIterable(result) && result.errors?.length && result.data === undefined) return result.errors;
    return { ...args, rootValue: { result } satisfies Prepared };
  }

  /** A refusal as graphql-ws sends it: a GraphQLError with a code; anything unexpected is logged and masked. */
  function refusal(error: unknown): GraphQLError {
    // The database gone while an operation was being set up: 503's answer, the outage logged once per interval.
    if (outage(error)) return databaseUnavailable();
    if (error instanceof GraphQLError) return error.extensions?.code ? error : withCode(error, ErrorCode.BadUserInput);
    if (!(error instanceof Error) && typeof (error as { message?: unknown })?.message === 'string') {
      const { message, extensions } = error as { message: string; extensions?: Record<string, unknown> };
      return new GraphQLError(message, { extensions: { code: ErrorCode.BadUserInput, ...extensions } });
    }
    logger.error('unexpected error', { transport: 'websocket', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    return new GraphQLError('Unexpected error.');
  }

  // Before graphql-ws sees the socket: sockets waiting for connection_init count too, so one
  // address cannot hold thousands of them open for the length of the init timeout.
  wss.on('connection', (socket, request) => {
    if (!perAddress.take(request.socket.remoteAddress ?? 'unknown', socket)) {
      socket.close(CloseCode.TooManyConnections, `Too many connections from this address (at most ${perAddress.max})`);
      return;
    }
    // No socket lives forever: its token is checked afresh on reconnection, and load rebalances.
    // Up to a tenth earlier at random, so sockets opened together (after a restart) do not all
    // reconnect in the same second a day later.
    const lifetime = maxLifetime * (0.9 + Math.random() * 0.1);
    const timer = setTimeout(() => socket.close(CloseCode.LifetimeReached, 'Connection lifetime reached: reconnect and resubscribe'), lifetime);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });

  const disposable = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 5000,
      jsonMessageReplacer: sharedPayloadReplacer,
      // graphql-transport-ws: a connection_init the server does not accept is closed with 4403.
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const token = tokenOf({ upgradeRequest: ctx.extra.request, connectionParams: ctx.connectionParams });
        let viewer: Awaited<ReturnType<TokenStore['verify']>> = null;
        try {
          viewer = token ? await tokens.verify(token) : null;
        } catch (error) {
          if (!isDatabaseUnavailable(error)) throw error;
          socket.close(CloseCode.TryAgainLater, 'Try again later: the database does not answer');
          return false;
        }
        if (!viewer) {
          const reason = token ? 'Forbidden: the token is unknown, revoked or expired' : 'Forbidden: authentication required; send connection_init {"authorization":"Bearer <token>"}';
          socket.close(CloseCode.Forbidden, reason);
          return false;
        }
        if (!perToken.take(viewer.tokenId, socket)) {
          socket.close(CloseCode.TooManyConnections, `Too many connections for this token (at most ${perToken.max}); close one first`);
          return false;
        }
        // Revoked or expired while open (on any instance, or by the CLI): the socket ends within seconds.
        const unwatch = tokenWatch.watch(viewer.tokenId, (why) =>
          why === 'revoked'
            ? socket.close(CloseCode.TokenRevoked, 'Token revoked: this connection has ended')
            : socket.close(CloseCode.TokenExpired, 'Token expired: connect again with a new token'),
        );
        socket.once('close', unwatch);
        return true;
      },
      // The operation already ran in onSubscribe (below); graphql-ws delivers its result.
      execute: (args) => (args.rootValue as Prepared).result as never,
      subscribe: (args) => (args.rootValue as Prepared).result as never,
      // Everything that can refuse an operation runs here — parsing, validation (GraphQL Armor's
      // limits throw), the context and the guards before execution (cost, list length, rate limit,
      // access) — so a refusal is an `error` message for that operation alone. Before, a thrown
      // limit error escaped graphql-ws's handler: the whole socket closed with 4500 and its other
      // subscriptions died, with a raw stack trace on stderr.
      onSubscribe: async (ctx, _id, payload) => {
        const count = active.get(ctx) ?? 0;
        if (count >= maxSubscriptions) {
          return [new GraphQLError(`at most ${maxSubscriptions} subscriptions per connection; complete one first`, { extensions: { code: ErrorCode.TooManySubscriptions } })];
        }
        let prepared: ExecutionArgs | readonly unknown[];
        try {
          prepared = await prepare(ctx.extra, ctx.connectionParams, payload);
        } catch (error) {
          prepared = [error];
        }
        if (isErrorList(prepared)) {
          const errors = prepared.map(refusal);
          options.onRefused?.(errors);
          logger.info('operation refused', { transport: 'websocket', codes: errors.map((e) => e.extensions.code ?? null) });
          return errors;
        }
        active.set(ctx, count + 1);
        return prepared;
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        const socket = ctx.extra.socket;
        if (socket.bufferedAmount > maxBuffered) {
          logger.warn('closing a consumer that fell too far behind', { buffered: socket.bufferedAmount });
          closeTooSlow(socket);
        }
        // The shared result itself (graphql-ws would copy it per subscriber), serialised once.
        return result;
      },
      onComplete: (ctx) => {
        active.set(ctx, Math.max(0, (active.get(ctx) ?? 1) - 1));
      },
    },
    wss,
  );

  // A message over maxPayload or a broken frame: ws has already closed the socket with the code
  // that says so (1009, 1002). graphql-ws would print the error with its stack on stderr; it is the
  // client's mistake, written once as a JSON log line instead.
  wss.on('connection', (socket) => {
    socket.removeAllListeners('error');
    socket.on('error', (error: Error & { code?: string }) => logger.info('websocket closed on a protocol error', { code: error.code, error: error.message }));
  });

  // Keepalive: a socket that has not answered the previous ping within one interval has not read
  // what it was sent — a half-open TCP connection, or a consumer too slow to keep up (the ping
  // waits behind the data it has not read). Its writes would only queue: it is closed with 4413
  // and a reason saying how to resume (events: from the last cursor it received), and cut after a
  // grace period if it does not even take the close.
  const alive = new WeakSet<WebSocket>();
  wss.on('connection', (socket) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
  });
  const pinger = setInterval(() => {
    for (const socket of wss.clients) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      if (!alive.has(socket)) {
        logger.info('closing a WebSocket that did not read its ping', { buffered: socket.bufferedAmount });
        closeTooSlow(socket);
        setTimeout(() => socket.terminate(), 5000).unref();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, options.keepAliveMs ?? 15_000);
  pinger.unref();

  return {
    get open() {
      return wss.clients.size;
    },
    async close() {
      clearInterval(pinger);
      for (const socket of wss.clients) socket.close(CloseCode.GoingAway, 'Server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
