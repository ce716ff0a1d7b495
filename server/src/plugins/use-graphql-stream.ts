import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { ErrorCode } from '@fangkong/zone';
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import { type Response as StreamResponse, TOKEN_HEADER_KEY, TOKEN_QUERY_KEY } from 'graphql-sse';
import type { Plugin } from 'graphql-yoga';
import { authenticationRefusal, type RequestAuthenticator } from '../auth/authentication.ts';
import type { Logger } from '../logger.ts';

export interface GraphQLStreamOptions {
  authenticate: RequestAuthenticator;
  logger: Logger;
  /** Where graphql-sse is served. @default '/graphql/stream' */
  endpoint?: string;
  /** Streams one token may hold reserved at once, connected or not. @default 10 */
  maxStreamsPerToken?: number;
  /** A reserved stream nobody connects to within this is freed. @default 30000 */
  reservationTimeoutMs?: number;
}

/** A stream reserved with PUT: whose it is, and until when it waits for its connection. */
interface Reservation {
  tokenId: string;
  /** Frees the reservation if nobody connects in time; null once connected. */
  expiry: NodeJS.Timeout | null;
}

/** Accept headers graphql-sse reserves a stream for (it answers 406 to others and keeps nothing). */
const RESERVING_ACCEPTS = ['*/*', 'text/plain'];

/**
 * GraphQL over SSE with graphql-sse (@graphql-yoga/plugin-graphql-sse), its single-connection
 * mode guarded: reserving a stream (PUT), connecting to it (GET) and sending operations on it
 * (POST) need a valid token, as do distinct connections; the stream token is chosen here, bound to
 * the caller's token and refused to anyone else; one token holds a bounded number of streams; and a
 * reservation nobody connects to is freed after a short while. graphql-sse keeps reservations until
 * their stream connects and closes, and has no way to drop one: this plugin connects on the
 * reservation's behalf and hangs up at once, which frees it by graphql-sse's own path.
 */
export function useGraphQLStream({ authenticate, logger, endpoint = '/graphql/stream', maxStreamsPerToken = 10, reservationTimeoutMs = 30_000 }: GraphQLStreamOptions): Plugin {
  const reservations = new Map<string, Reservation>();
  const heldBy = new Map<string, number>();
  /** The plugin's own connections that free expired reservations. */
  const releasing = new WeakSet<Request>();

  const forget = (stream: string) => {
    const reservation = reservations.get(stream);
    if (!reservation) return;
    reservations.delete(stream);
    if (reservation.expiry) clearTimeout(reservation.expiry);
    const held = (heldBy.get(reservation.tokenId) ?? 1) - 1;
    if (held > 0) heldBy.set(reservation.tokenId, held);
    else heldBy.delete(reservation.tokenId);
  };

  const release = async (stream: string) => {
    forget(stream);
    const request = new Request(new URL(endpoint, 'http://localhost'), { headers: { accept: 'text/event-stream', [TOKEN_HEADER_KEY]: stream } });
    releasing.add(request);
    const response = await new Promise<Response>((resolve, reject) => {
      // The graphql-sse handler's own entry point, without the HTTP pipeline in front of it.
      Promise.resolve(sse.onRequest!({ request, url: new URL(request.url), serverContext: {}, endResponse: resolve } as never)).catch(reject);
    });
    await response.body?.cancel();
  };

  const sse = useGraphQLSSE({
    endpoint,
    authenticate: async (req) => {
      const stream = req.headers.get(TOKEN_HEADER_KEY) || new URL(req.url, 'http://localhost').searchParams.get(TOKEN_QUERY_KEY);
      if (releasing.has(req.raw)) return stream;
      const caller = await authenticate(req.raw);
      if (!caller.viewer) return refusal(authenticationRefusal(caller.failure));
      const { tokenId } = caller.viewer;
      const accept = req.headers.get('accept') || '*/*';
      if (req.method === 'PUT') {
        if (!RESERVING_ACCEPTS.includes(accept)) return randomUUID();
        if ((heldBy.get(tokenId) ?? 0) >= maxStreamsPerToken) {
          return refusal({
            message: `this token holds ${maxStreamsPerToken} streams, the most it may; close one first (one nobody connects to is freed after ${reservationTimeoutMs / 1000} s)`,
            code: ErrorCode.TooManyStreams,
            status: 429,
          });
        }
        const reserved = randomUUID();
        const expiry = setTimeout(() => release(reserved).catch((error) => logger.error('could not free an expired stream reservation', { error: String(error) })), reservationTimeoutMs);
        expiry.unref();
        reservations.set(reserved, { tokenId, expiry });
        heldBy.set(tokenId, (heldBy.get(tokenId) ?? 0) + 1);
        return reserved;
      }
      // Without a stream token an event stream is a distinct connection, which holds nothing beyond its request.
      if (!stream) {
        if (accept === 'text/event-stream') return null;
        return refusal({ message: `name the reserved stream: the ${TOKEN_HEADER_KEY} header (or the ${TOKEN_QUERY_KEY} parameter) with what PUT answered`, code: ErrorCode.BadRequest, status: 400 });
      }
      const reservation = reservations.get(stream);
      if (reservation?.tokenId !== tokenId) {
        return refusal({
          message: `no stream is reserved under this stream token for this caller (one nobody connects to within ${reservationTimeoutMs / 1000} s expires); reserve one with PUT`,
          code: ErrorCode.NotFound,
          status: 404,
        });
      }
      if (accept === 'text/event-stream' && reservation.expiry) {
        // Connected: the reservation now lasts as long as its connection, which graphql-sse ends on abort too.
        clearTimeout(reservation.expiry);
        reservation.expiry = null;
        req.raw.signal.addEventListener('abort', () => forget(stream), { once: true });
      }
      return stream;
    },
  });

  return {
    ...sse,
    onDispose() {
      for (const reservation of reservations.values()) if (reservation.expiry) clearTimeout(reservation.expiry);
      reservations.clear();
      heldBy.clear();
    },
  };
}

/** A refusal in graphql-sse's terms, worded and coded as every other refusal of ours. */
function refusal({ message, code, status }: { message: string; code: string; status: number }): StreamResponse {
  return [
    JSON.stringify({ errors: [{ message, extensions: { code } }] }),
    { status, statusText: STATUS_CODES[status] ?? 'Error', headers: { 'content-type': 'application/json; charset=utf-8' } },
  ];
}
