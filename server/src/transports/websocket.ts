import { ErrorCode, CloseCode } from '@fangkong/zone';
import type { Server } from 'node:http';
import type { DocumentNode, ExecutionArgs } from 'graphql';
import { GraphQLError } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger.ts';
import type { FangkongYoga } from '../yoga.ts';

export interface WebSocketOptions {
  /** Close sockets that send no connection_init in time (4408). @default 5000 */
  connectionInitWaitTimeoutMs?: number;
  /** Subscriptions one socket may hold at once. @default 50 */
  maxSubscriptionsPerConnection?: number;
  /** Ping every socket this often; one that misses a pong is dropped. @default 15000 */
  keepAliveMs?: number;
  /** A socket whose unsent data exceeds this is too slow: closed so it can resume by cursor. @default 8 MiB */
  maxBufferedBytes?: number;
}

/** Close code for a reader that fell too far behind (the reason says how to resume). */

type ExecutionRoot = { execute(args: ExecutionArgs): unknown; subscribe(args: ExecutionArgs): unknown };

/**
 * graphql-ws on the GraphQL endpoint. Operations go through yoga.getEnveloped, so WebSocket gets
 * the same context, plugins, validation and error masking as HTTP.
 */
export function attachWebSocket(server: Server, yoga: FangkongYoga, logger: Logger, options: WebSocketOptions = {}) {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, maxPayload: 512 * 1024 });
  const maxSubscriptions = options.maxSubscriptionsPerConnection ?? 50;
  const maxBuffered = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const active = new WeakMap<object, number>();

  const disposable = useServer<Record<string, unknown> | undefined, { request: import('node:http').IncomingMessage; socket: WebSocket }>(
    {
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 5000,
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
