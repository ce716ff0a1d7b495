import { subscriptionExchange, type Exchange } from '@urql/core';
import type { Client as WsClient } from 'graphql-ws';

/**
 * Subscriptions go over graphql-ws (one socket for all of them); queries and mutations stay on
 * HTTP. Reconnection and resubscription are the graphql-ws client's job (live/connection.ts).
 */
export const liveExchange = (ws: Pick<WsClient, 'subscribe'>): Exchange =>
  subscriptionExchange({
    forwardSubscription: (request) => ({
      subscribe: (sink) => ({
        unsubscribe: ws.subscribe({ query: request.query ?? '', variables: request.variables, operationName: request.operationName }, sink as never),
      }),
    }),
  });
