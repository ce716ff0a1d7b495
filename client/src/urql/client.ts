import { Client, fetchExchange, type Exchange } from '@urql/core';
import type { Client as WsClient } from 'graphql-ws';
import { authExchange } from './auth-exchange.ts';
import { liveExchange } from './live-exchange.ts';

export interface FangkongClientOptions {
  /** Same-origin /graphql by default. */
  url?: string;
  token: () => string | null;
  /** Subscriptions need it; the report page has none. */
  ws?: WsClient;
}

/**
 * The urql client: synchronous exchanges first (auth), then the transports. No cache: a wall
 * display and a report form want the server's figures, never a remembered copy.
 */
export function createFangkongClient(options: FangkongClientOptions): Client {
  const exchanges: Exchange[] = [authExchange(options.token)];
  if (options.ws) exchanges.push(liveExchange(options.ws));
  exchanges.push(fetchExchange);
  return new Client({
    url: options.url ?? '/graphql',
    exchanges,
    requestPolicy: 'network-only',
    preferGetMethod: false,
  });
}
