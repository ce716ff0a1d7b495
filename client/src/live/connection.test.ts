import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { CloseCode } from '@fangkong/zone';
import { connectionReducer, initialConnectionState, type ConnectionState } from './connection-state.ts';
import { createLiveConnection, graphqlWebSocketUrl } from './connection.ts';

// A real graphql-ws server whose subscription sends a snapshot first, then updates, each with the
// outbox position it reflects: the shape of Fangkong's live subscriptions.
const schema = buildSchema(`
  type Query { ok: Boolean }
  type Total { value: Int!, asOfSeq: String! }
  type Subscription { total: Total! }
`);

interface Backend {
  port: number;
  value: number;
  seq: number;
  inits: unknown[];
  push(by: number): void;
  /** Closes every open socket with this code, as Fangkong's server does at the connection lifetime. */
  closeSockets(code: number, reason: string): void;
  stop(): Promise<void>;
}

async function startBackend(port = 0, start = { value: 0, seq: 0 }): Promise<Backend> {
  const http: Server = createServer();
  const wss = new WebSocketServer({ server: http, path: '/graphql' });
  const listeners = new Set<() => void>();
  const backend: Backend = {
    port: 0,
    value: start.value,
    seq: start.seq,
    inits: [],
    push(by) {
      backend.value += by;
      backend.seq += 1;
      for (const wake of listeners) wake();
    },
    closeSockets(code, reason) {
      for (const client of wss.clients) client.close(code, reason);
    },
    async stop() {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  useServer(
    {
      schema,
      onConnect: (ctx) => {
        backend.inits.push(ctx.connectionParams);
      },
      roots: {
        subscription: {
          total: async function* () {
            yield { total: { value: backend.value, asOfSeq: String(backend.seq) } };
            for (;;) {
              await new Promise<void>((resolve) => {
                const wake = () => {
                  listeners.delete(wake);
                  resolve();
                };
                listeners.add(wake);
              });
              yield { total: { value: backend.value, asOfSeq: String(backend.seq) } };
            }
          },
        },
      },
    },
    wss,
  );
  await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
  backend.port = (http.address() as AddressInfo).port;
  return backend;
}

/** Resolves when the predicate holds after some event; rejects after a timeout. */
function until<T>(read: () => T, predicate: (v: T) => boolean, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const v = read();
      if (predicate(v)) return resolve(v);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out; last ${JSON.stringify(v)}`));
      setTimeout(check, 10);
    };
    check();
  });
}

const cleanups: (() => Promise<void> | void)[] = [];
/** dispose() rejects with the last connection error when a connection attempt is in flight. */
const disposeQuietly = async (client: { dispose(): void | Promise<void> }) => {
  try {
    await client.dispose();
  } catch {
    // the socket was not open anyway
  }
};
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('live connection', () => {
  it('sends the token in connection_init', async () => {
    const backend = await startBackend();
    cleanups.push(() => backend.stop());
    let state: ConnectionState = initialConnectionState;
    const client = createLiveConnection({
      url: `ws://127.0.0.1:${backend.port}/graphql`,
      token: () => 'display-token',
      onEvent: (e) => (state = connectionReducer(state, e)),
      webSocketImpl: WebSocket,
    });
    cleanups.push(() => disposeQuietly(client));
    await until(() => state.status, (s) => s === 'live');
    expect(backend.inits).toEqual([{ authorization: 'Bearer display-token' }]);
  });

  it('reconnects after the server restarts, resubscribes, and resynchronises from the new snapshot', async () => {
    let backend = await startBackend();
    const port = backend.port;
    cleanups.push(() => backend.stop());
    let state: ConnectionState = initialConnectionState;
    const events: string[] = [];
    const client = createLiveConnection({
      url: `ws://127.0.0.1:${port}/graphql`,
      token: () => 't',
      onEvent: (e) => {
        events.push(e.type);
        state = connectionReducer(state, e);
      },
      backoff: { baseMs: 50, capMs: 200 },
      webSocketImpl: WebSocket,
    });
    cleanups.push(() => disposeQuietly(client));
    const values: { value: number; asOfSeq: string }[] = [];
    const dispose = client.subscribe<{ total: { value: number; asOfSeq: string } }>(
      { query: 'subscription { total { value asOfSeq } }' },
      { next: (r) => void (r.data && values.push(r.data.total)), error: () => {}, complete: () => {} },
    );
    cleanups.push(dispose);

    await until(() => values.length, (n) => n === 1);
    backend.push(5);
    await until(() => values.at(-1)?.value, (v) => v === 5);

    await backend.stop();
    await until(() => state.status, (s) => s === 'reconnecting');
    expect(state.staleSince).not.toBeNull();

    // Reports arrived while the display was cut off; the new server starts from them.
    backend = await startBackend(port, { value: 12, seq: 7 });
    await until(() => state.status, (s) => s === 'live', 10_000);
    const resynced = await until(() => values.at(-1), (v) => v?.value === 12);
    expect(resynced).toEqual({ value: 12, asOfSeq: '7' });
    expect(state.connections).toBe(2);
    expect(state.staleSince).toBeNull();

    backend.push(3);
    await until(() => values.at(-1)?.value, (v) => v === 15);
  });

  it('reconnects at once and resubscribes when the server closes for the connection lifetime (4414)', async () => {
    const backend = await startBackend();
    cleanups.push(() => backend.stop());
    let state: ConnectionState = initialConnectionState;
    const client = createLiveConnection({
      url: `ws://127.0.0.1:${backend.port}/graphql`,
      token: () => 't',
      onEvent: (e) => (state = connectionReducer(state, e)),
      webSocketImpl: WebSocket,
    });
    cleanups.push(() => disposeQuietly(client));
    const values: number[] = [];
    const dispose = client.subscribe<{ total: { value: number; asOfSeq: string } }>(
      { query: 'subscription { total { value asOfSeq } }' },
      { next: (r) => void (r.data && values.push(r.data.total.value)), error: () => {}, complete: () => {} },
    );
    cleanups.push(dispose);
    await until(() => values.length, (n) => n === 1);
    const closedAt = Date.now();
    backend.closeSockets(CloseCode.LifetimeReached, 'Connection lifetime reached: reconnect and resubscribe');
    await until(() => state.connections, (n) => n === 2);
    // The default backoff's first retry: half a second at most.
    expect(Date.now() - closedAt).toBeLessThan(2000);
    await until(() => values.length, (n) => n === 2);
    expect(backend.inits).toHaveLength(2);
    backend.push(4);
    await until(() => values.at(-1), (v) => v === 4);
    expect(state.status).toBe('live');
  });

  it('marks the connection stale on a missed pong (4410) and reconnects without waiting for the closing handshake', async () => {
    // A server that acknowledges, then stops reading: the network between them is cut.
    const http: Server = createServer();
    const wss = new WebSocketServer({ server: http, path: '/graphql' });
    let connections = 0;
    let freeze = true;
    wss.on('connection', (socket) => {
      connections++;
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as { type: string };
        if (message.type === 'connection_init') {
          socket.send(JSON.stringify({ type: 'connection_ack' }));
          if (freeze) (socket as any)._socket.pause();
        }
        if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    });
    let state: ConnectionState = initialConnectionState;
    const closes: number[] = [];
    const client = createLiveConnection({
      url: `ws://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`,
      token: () => null,
      onEvent: (e) => {
        if (e.type === 'closed') closes.push(e.code);
        state = connectionReducer(state, e);
      },
      keepAliveMs: 200,
      pongTimeoutMs: 300,
      backoff: { baseMs: 10, capMs: 20 },
      webSocketImpl: WebSocket,
    });
    cleanups.push(() => disposeQuietly(client));
    await until(() => state.status, (s) => s === 'live');
    const liveAt = Date.now();
    freeze = false; // the next connection works
    // ws's own closing handshake waits 30 s: well before that, the screen is stale and connected again.
    await until(() => state.staleSince, (s) => s !== null, 2000);
    expect(Date.now() - liveAt).toBeLessThan(1500);
    expect(closes).toEqual([CloseCode.PongTimeout]);
    await until(() => state.connections, (n) => n === 2, 3000);
    expect(state.status).toBe('live');
    expect(connections).toBe(2);
  });

  it('keeps retrying while the server stays down, without giving up', async () => {
    const backend = await startBackend();
    const port = backend.port;
    await backend.stop();
    let closes = 0;
    const client = createLiveConnection({
      url: `ws://127.0.0.1:${port}/graphql`,
      token: () => null,
      onEvent: (e) => {
        if (e.type === 'closed') closes++;
      },
      backoff: { baseMs: 10, capMs: 20 },
      webSocketImpl: WebSocket,
    });
    cleanups.push(() => disposeQuietly(client));
    await until(() => closes, (n) => n >= 15, 10_000);
  });
});

describe('graphqlWebSocketUrl', () => {
  it('uses the page origin and the secure scheme under https', () => {
    expect(graphqlWebSocketUrl({ protocol: 'http:', host: '127.0.0.1:5173' })).toBe('ws://127.0.0.1:5173/graphql');
    expect(graphqlWebSocketUrl({ protocol: 'https:', host: 'hq.example' })).toBe('wss://hq.example/graphql');
  });
});
