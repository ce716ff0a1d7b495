import { ErrorCode, CloseCode } from '@fangkong/zone';
import type { Server } from 'node:http';
import type { DocumentNode, ExecutionArgs } from 'graphql';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { TokenStore } from '../auth/tokens.ts';
import type { Logger } from '../logger.ts';
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
}

/** Close code for a reader that fell too far behind (the reason says how to resume). */

type ExecutionRoot = { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown };

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
export function attachWebSocket(server: Server, yoga: FangkongYoga, tokens: TokenStore, logger: Logger, options: WebSocketOptions = {}) {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: 512 * 1024 });
  const maxSubscriptions = options.maxSubscriptionsPerConnection ?? 50;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const active = new WeakMap<object, number>();
  const perToken = new SocketCounts(options.maxPerToken ?? 100);
  const perAddress = new SocketCounts(options.maxPerAddress ?? 200);

  // Before graphql-ws sees the socket: sockets waiting for connection_init count too, so one
  // address cannot hold thousands of them open for the length of the init timeout.
  wss.on('connection', (socket, request) => {
    if (!perAddress.take(request.socket.remoteAddress ?? 'unknown', socket)) {
      socket.close(CloseCode.TooManyConnections, `Too many connections from this address (at most ${perAddress.max})`);
    }
  });

  const disposable = useServer<Record<string, unknown> | undefined, { request: import('node:http').IncomingMessage; socket: WebSocket }>(
    {
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 5000,
      // graphql-transport-ws: a connection_init the server does not accept is closed with 4403.
      onConnect: async (ctx) => {
        const socket = ctx.extra.socket;
        const token = tokenOf({ upgradeRequest: ctx.extra.request, connectionParams: ctx.connectionParams });
        const viewer = token ? await tokens.verify(token) : null;
        if (!viewer) {
          const reason = token ? 'Forbidden: the token is unknown, revoked or expired' : 'Forbidden: authentication required; send connection_init {"authorization":"Bearer <token>"}';
          socket.close(CloseCode.Forbidden, reason);
          return false;
        }
        if (!perToken.take(viewer.tokenId, socket)) {
          socket.close(CloseCode.TooManyConnections, `Too many connections for this token (at most ${perToken.max}); close one first`);
          return false;
        }
        return true;
      },
      execute: (args) => (args.rootValue as ExecutionRoot).execute(args) as never,
      subscribe: (args) => (args.rootValue as ExecutionRoot).subscribe(args) as never,
      onSubscribe: async (ctx, _id, payload) => {
        const count = active.get(ctx) ?? 0;
        if (count >= maxSubscriptions) {
          return [new GraphQLError(`at most ${maxSubscriptions} subscriptions per connection; complete one first`, { extensions: { code: ErrorCode.TooManySubscriptions } })];
        }
        // No `request` key: Yoga would read the upgrade GET as the operation's method and refuse mutations.
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          upgradeRequest: ctx.extra.request,
          socket: ctx.extra.socket,
          connectionParams: ctx.connectionParams,
          params: payload,
        });
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = validate(schema, document);
        if (errors.length) return errors;
        active.set(ctx, count + 1);
        return {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies ExecutionRoot,
        };
      },
      onNext: (ctx) => {
        const socket = ctx.extra.socket;
        if (socket.bufferedAmount > maxBuffered) {
          logger.warn('closing a consumer that fell too far behind', { buffered: socket.bufferedAmount });
          socket.close(CloseCode.ConsumerTooSlow, 'Consumer too slow: reconnect and resume events from your last cursor');
        }
      },
      onComplete: (ctx) => {
        active.set(ctx, Math.max(0, (active.get(ctx) ?? 1) - 1));
      },
    },
    wss,
  );

  // Keepalive: a socket that does not answer a ping within one interval is dead (half-open TCP).
  const alive = new WeakSet<WebSocket>();
  wss.on('connection', (socket) => {
    alive.add(socket);
    socket.on('pong', () => alive.add(socket));
  });
  const pinger = setInterval(() => {
    for (const socket of wss.clients) {
      if (!alive.has(socket)) {
        socket.terminate();
        continue;
      }
      alive.delete(socket);
      socket.ping();
    }
  }, options.keepAliveMs ?? 15_000);
  pinger.unref();

  return {
    async close() {
      clearInterval(pinger);
      for (const socket of wss.clients) socket.close(CloseCode.GoingAway, 'Server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
