import { CloseCode } from '@fangkong/zone';
import { createClient, type Client } from 'graphql-ws';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import type { ConnectionEvent } from './connection-state.ts';

export interface LiveConnectionOptions {
  /** ws:// or wss:// URL of the GraphQL endpoint. */
  url: string;
  /** Read on every (re)connection, so a new token applies to the next one. */
  token: () => string | null;
  /** Connection events for the connection-state reducer. */
  onEvent: (event: ConnectionEvent) => void;
  backoff?: BackoffOptions;
  /** Ping the server this often (after each pong). @default 1500 */
  keepAliveMs?: number;
  /** Without a pong this long after a ping, the socket counts as dead and is closed: a cut shows within 4 s. @default 2500 */
  pongTimeoutMs?: number;
  /** A WebSocket implementation where there is no global one (Node tests). */
  webSocketImpl?: unknown;
  now?: () => number;
}


/**
 * A graphql-ws client for a screen that runs for days: connects eagerly, retries forever with
 * capped, jittered backoff (every close is retryable, including an unauthorized one: the token may
 * be fixed on the server side), detects half-open sockets by ping/pong, and resubscribes every
 * active subscription after each reconnection (graphql-ws does this for retried subscriptions).
 *
 * A missed pong means the network is gone (a cut cable, a sleeping router): the socket is closed
 * with 4410 PongTimeout and the close is reported at once, then the client is terminated so it
 * reconnects without waiting for a closing handshake that cannot complete (a browser waits up to
 * a minute for it, all the while showing frozen figures as live).
 */
export function createLiveConnection(options: LiveConnectionOptions): Client {
  const now = options.now ?? (() => Date.now());
  const pongTimeoutMs = options.pongTimeoutMs ?? 2500;
  let socket: { close(code?: number, reason?: string): void; readyState: number } | null = null;
  let pongTimer: ReturnType<typeof setTimeout> | null = null;
  /** The close of a socket given up on a missed pong was reported already; graphql-ws's own 4499 for it is not. */
  let gaveUp = false;
  const clearPongTimer = () => {
    if (pongTimer !== null) clearTimeout(pongTimer);
    pongTimer = null;
  };

  const client: Client = createClient({
    url: options.url,
    webSocketImpl: options.webSocketImpl,
    lazy: false,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, backoffDelay(retries, options.backoff))),
    keepAlive: options.keepAliveMs ?? 1500,
    connectionParams: () => {
      const token = options.token();
      return token ? { authorization: `Bearer ${token}` } : {};
    },
    on: {
      connecting: () => options.onEvent({ type: 'connecting', at: now() }),
      opened: (opened) => {
        socket = opened as typeof socket;
      },
      connected: () => options.onEvent({ type: 'connected', at: now() }),
      ping: (received) => {
        if (received) return;
        clearPongTimer();
        pongTimer = setTimeout(() => {
          pongTimer = null;
          if (socket?.readyState !== 1) return;
          socket.close(CloseCode.PongTimeout, 'Pong timeout');
          socket = null;
          gaveUp = true;
          options.onEvent({ type: 'closed', at: now(), code: CloseCode.PongTimeout, reason: 'Pong timeout' });
          client.terminate(); // emits its 4499 close synchronously, swallowed below
          gaveUp = false;
        }, pongTimeoutMs);
      },
      pong: (received) => {
        if (received) clearPongTimer();
      },
      closed: (event) => {
        clearPongTimer();
        socket = null;
        if (gaveUp) return;
        const { code, reason } = (event ?? {}) as { code?: number; reason?: string };
        options.onEvent({ type: 'closed', at: now(), code: code ?? 1006, reason: reason ?? '' });
      },
    },
  });
  return client;
}

/** The same-origin WebSocket URL of /graphql for a page at `location`. */
export function graphqlWebSocketUrl(location: { protocol: string; host: string }, path = '/graphql'): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${path}`;
}
