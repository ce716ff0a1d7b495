import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { ErrorCode } from '@fangkong/zone';
import { GraphQLError } from 'graphql';
import { type OperationResult, type RequestParams, type Response as StreamResponse, TOKEN_HEADER_KEY, TOKEN_QUERY_KEY } from 'graphql-sse';
import { createHandler, type HandlerOptions } from 'graphql-sse/lib/use/fetch';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
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
 * GraphQL over SSE with graphql-sse, its single-connection mode guarded: reserving a stream (PUT),
 * connecting to it (GET) and sending operations on it (POST) need a valid token, as do distinct
 * connections; the stream token is chosen here, bound to the caller's token and refused to anyone
 * else; one token holds a bounded number of streams; and a reservation nobody connects to is freed
 * after a short while. graphql-sse keeps reservations until their stream connects and closes, and
 * has no way to drop one: this plugin connects on the reservation's behalf and hangs up at once,
 * which frees it by graphql-sse's own path.
 *
 * Operations run through Yoga exactly as on /graphql (its params hooks, parsing, validation, the
 * guards, execution, error masking). One refused before it ran — a syntax error, a validation rule,
 * a guard before execute or subscribe — is answered as graphql-sse's protocol says: on a reserved
 * stream by its own request, as GraphQL over HTTP answers a request error (its status and errors,
 * nothing on the stream); over a distinct connection in a `next` event, then `complete`.
 * (@graphql-yoga/plugin-graphql-sse handed graphql-sse such a result without `data`, which it took
 * for execution arguments and answered 400 "Unable to detect operation AST", or 500 for a syntax error.)
 */
export function useGraphQLStream({ authenticate, logger, endpoint = '/graphql/stream', maxStreamsPerToken = 10, reservationTimeoutMs = 30_000 }: GraphQLStreamOptions): Plugin {
  const reservations = new Map<string, Reservation>();
  const heldBy = new Map<string, number>();
  /** The plugin's own requests to graphql-sse: connections that free expired reservations, deletions of refused operations. */
  const internal = new WeakSet<Request>();

  const forget = (stream: string) => {
    const reservation = reservations.get(stream);
    if (!reservation) return;
    reservations.delete(stream);
    if (reservation.expiry) clearTimeout(reservation.expiry);
    const held = (heldBy.get(reservation.tokenId) ?? 1) - 1;
    if (held > 0) heldBy.set(reservation.tokenId, held);
    else heldBy.delete(reservation.tokenId);
  };

  /** Server contexts (the Node request and response) of the requests graphql-sse is handling. */
  const serverContexts = new WeakMap<Request, Record<string, unknown>>();
  let handle: ((request: Request) => Promise<Response>) | undefined;

  const release = async (stream: string) => {
    forget(stream);
    const request = new Request(new URL(endpoint, 'http://localhost'), { headers: { accept: 'text/event-stream', [TOKEN_HEADER_KEY]: stream } });
    internal.add(request);
    // The graphql-sse handler itself, without the HTTP pipeline in front of it.
    const response = await handle!(request);
    await response.body?.cancel();
  };

  /**
   * graphql-sse records an operation's id on its stream before the operation is prepared, and keeps
   * it when the operation is answered by its own request: a refused id would stay taken (409 to a
   * retry) and every refusal would grow the stream. Deleting it, graphql-sse's own way, frees it.
   */
  const forgetOperation = async (stream: string, operationId: string) => {
    const url = new URL(endpoint, 'http://localhost');
    url.searchParams.set('operationId', operationId);
    const request = new Request(url, { method: 'DELETE', headers: { [TOKEN_HEADER_KEY]: stream } });
    internal.add(request);
    await (await handle!(request)).body?.cancel();
  };

  const authenticateStream: HandlerOptions['authenticate'] = async (req) => {
    const stream = req.headers.get(TOKEN_HEADER_KEY) || new URL(req.url, 'http://localhost').searchParams.get(TOKEN_QUERY_KEY);
    if (internal.has(req.raw)) return stream;
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
  };

  return {
    onYogaInit({ yoga }) {
      handle = createHandler(
        {
          authenticate: authenticateStream,
          onSubscribe: async (req, params) => {
            const answer = await operate(yoga, req.raw, params, serverContexts.get(req.raw) ?? {});
            const stream = req.headers.get(TOKEN_HEADER_KEY) || new URL(req.url, 'http://localhost').searchParams.get(TOKEN_QUERY_KEY);
            const operationId = params.extensions?.operationId;
            // Answered by its own request (graphql-sse's Response is a tuple): nothing of it may stay on the stream.
            if (Array.isArray(answer) && stream && operationId != null) await forgetOperation(stream, String(operationId));
            return answer;
          },
          // Yoga's internals (an error's HTTP status, whether it was unexpected) stay out of the events, as on /graphql.
          onNext: (_ctx, _req, result) => withoutInternals(result),
        },
        yoga.fetchAPI,
      );
    },
    onRequest({ request, url, serverContext, endResponse }) {
      if (url.pathname !== endpoint) return;
      serverContexts.set(request, serverContext);
      return handle!(request).then(endResponse);
    },
    onDispose() {
      for (const reservation of reservations.values()) if (reservation.expiry) clearTimeout(reservation.expiry);
      reservations.clear();
      heldBy.clear();
    },
  };
}

type Yoga = Parameters<NonNullable<Plugin['onYogaInit']>>[0]['yoga'];

/**
 * Runs one operation as Yoga runs it on /graphql. What ran (a result with `data`, or a subscription's
 * stream) goes to graphql-sse; what was refused before running (a result without `data`, as GraphQL
 * over HTTP tells them apart) is answered here: on a reserved stream by the operation's own request,
 * over a distinct connection by one `next` event.
 */
async function operate(yoga: Yoga, request: Request, params: RequestParams, serverContext: Record<string, unknown>): Promise<StreamResponse | OperationResult> {
  const result = await yoga.getResultForParams({ params, request }, { ...serverContext, request });
  if (!result) throw new Error('Yoga produced no result for an operation on the stream');
  if (isAsyncIterable(result) || 'data' in result) return result;
  const refused = withoutInternals(result);
  if (request.headers.get('accept') === 'text/event-stream') {
    return (async function* refusal() {
      yield refused;
    })();
  }
  const errors = result.errors ?? [];
  const headers: Record<string, string> = {};
  let status = 0;
  for (const error of errors) {
    const http = error.extensions?.http as { status?: number; headers?: Record<string, string> } | undefined;
    Object.assign(headers, http?.headers);
    status = Math.max(status, http?.status ?? 0);
  }
  // A request error without a status of its own is the caller's (400), unless it was unexpected (500).
  status ||= errors.some((error) => error.extensions?.unexpected) ? 500 : 400;
  return [JSON.stringify(refused), { status, statusText: STATUS_CODES[status] ?? 'Error', headers: { ...headers, 'content-type': 'application/json; charset=utf-8' } }];
}

/** The result without Yoga's internals on its errors (`http`, `unexpected`), as Yoga serializes it on /graphql. */
function withoutInternals<T extends { errors?: readonly GraphQLError[] }>(result: T): T {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => {
    if (!(error instanceof GraphQLError) || !error.extensions || !('http' in error.extensions || 'unexpected' in error.extensions)) return error;
    const { http: _http, unexpected: _unexpected, ...extensions } = error.extensions;
    return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions });
  });
  return { ...result, errors };
}

/** A refusal in graphql-sse's terms, worded and coded as every other refusal of ours. */
function refusal({ message, code, status, headers }: { message: string; code: string; status: number; headers?: Record<string, string> }): StreamResponse {
  return [
    JSON.stringify({ errors: [{ message, extensions: { code } }] }),
    { status, statusText: STATUS_CODES[status] ?? 'Error', headers: { 'content-type': 'application/json; charset=utf-8', ...headers } },
  ];
}
