// Subscribers for the live benchmark, all in the bench process: graphql-transport-ws over `ws`,
// and GraphQL over SSE in distinct-connection mode (one POST /graphql stream per subscriber).
// The clients are deliberately thin (no retries, no library state machine) so the client side
// costs little next to the server; the same WebSocket client also talks to the raw baseline.
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export type Transport = 'ws' | 'sse';

export interface Operation {
  query: string;
  variables?: Record<string, unknown>;
}

/** One `next` result as a subscriber received it. */
export interface Delivery {
  /** performance.now() when the bytes arrived, before parsing. */
  at: number;
  data: Record<string, any>;
}

export interface PoolOptions {
  transport: Transport;
  /** http://host:port/graphql (the WebSocket URL is derived from it). */
  graphqlUrl: string;
  size: number;
  operation: Operation;
  /** Bearer token: in connection_init's payload (WS) or the Authorization header (SSE). */
  token?: string;
  /** Keep every delivery for take(); otherwise only count them. @default true */
  record?: boolean;
  /** Connections opened at once. @default 100 */
  connectBatch?: number;
}

export interface SubscriberPool {
  readonly transport: Transport;
  readonly size: number;
  /** `next` results received by all subscribers so far. */
  readonly delivered: number;
  /** performance.now() of the latest delivery. */
  readonly lastDeliveryAt: number;
  /** The first raw `next` message one WebSocket subscriber received, byte for byte. */
  readonly sample: string | undefined;
  /** Errors in results, error messages, unexpected closes (with their codes). */
  readonly problems: string[];
  /** Deliveries per subscriber since the previous take() (only when recording). */
  take(): Delivery[][];
  /** Resolves once `delivered` reaches `count`; rejects on timeout or when a subscriber fails. */
  untilDelivered(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

interface Member {
  close(): Promise<void>;
}

const SUBSCRIPTION_ID = '1';

export async function openPool(options: PoolOptions): Promise<SubscriberPool> {
  const record = options.record ?? true;
  const batch = options.connectBatch ?? 100;
  const inbox: Delivery[][] = Array.from({ length: options.size }, () => []);
  const problems: string[] = [];
  const members: Member[] = [];
  let delivered = 0;
  let lastDeliveryAt = 0;
  let sample: string | undefined;
  let closing = false;
  let waiter: { target: number; resolve(): void; reject(error: Error): void } | undefined;

  const onNext = (index: number, at: number, text: string, payload: { data?: Record<string, any>; errors?: unknown }) => {
    if (payload.errors) problems.push(`subscriber ${index}: errors ${JSON.stringify(payload.errors).slice(0, 300)}`);
    if (index === 0 && sample === undefined) sample = text;
    delivered++;
    lastDeliveryAt = at;
    if (record && payload.data) inbox[index]!.push({ at, data: payload.data });
    if (waiter && delivered >= waiter.target) {
      const done = waiter;
      waiter = undefined;
      done.resolve();
    }
  };
  const onProblem = (index: number, problem: string) => {
    if (closing) return;
    problems.push(`subscriber ${index}: ${problem}`);
    if (waiter) {
      const failed = waiter;
      waiter = undefined;
      failed.reject(new Error(`subscriber ${index}: ${problem}`));
    }
  };

  const open = options.transport === 'ws' ? openWebSocketMember : openEventStreamMember;
  try {
    for (let start = 0; start < options.size; start += batch) {
      const indexes = Array.from({ length: Math.min(batch, options.size - start) }, (_, i) => start + i);
      const opened = await Promise.allSettled(indexes.map((index) => open(options.graphqlUrl, options.operation, options.token, index, onNext, onProblem)));
      for (const outcome of opened) if (outcome.status === 'fulfilled') members.push(outcome.value);
      const failed = opened.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    }
  } catch (error) {
    closing = true;
    await Promise.allSettled(members.map((m) => m.close()));
    throw error;
  }

  return {
    transport: options.transport,
    size: options.size,
    get delivered() {
      return delivered;
    },
    get lastDeliveryAt() {
      return lastDeliveryAt;
    },
    get sample() {
      return sample;
    },
    problems,
    take() {
      const taken = inbox.map((list) => list.splice(0, list.length));
      return taken;
    },
    untilDelivered(count, timeoutMs) {
      if (delivered >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(new Error(`${options.transport}: ${delivered} of ${count} deliveries after ${timeoutMs} ms`));
        }, timeoutMs);
        waiter = {
          target: count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        };
      });
    },
    async close() {
      closing = true;
      await Promise.allSettled(members.map((m) => m.close()));
    },
  };
}

type NextHandler = (index: number, at: number, text: string, payload: { data?: Record<string, any>; errors?: unknown }) => void;
type ProblemHandler = (index: number, problem: string) => void;

/** graphql-transport-ws: connection_init → connection_ack → subscribe; resolves once subscribed. */
function openWebSocketMember(graphqlUrl: string, operation: Operation, token: string | undefined, index: number, onNext: NextHandler, onProblem: ProblemHandler): Promise<Member> {
  const socket = new WebSocket(graphqlUrl.replace(/^http/, 'ws'), 'graphql-transport-ws', { perMessageDeflate: false });
  let closed = false;
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const member: Member = {
    async close() {
      if (closed || socket.readyState === WebSocket.CLOSED) return;
      closed = true;
      socket.close(1000, 'bench done');
      const timer = setTimeout(() => socket.terminate(), 5000);
      await ended;
      clearTimeout(timer);
    },
  };
  return new Promise<Member>((resolve, reject) => {
    let acked = false;
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} })));
    socket.on('message', (raw: Buffer) => {
      const at = performance.now();
      const text = raw.toString();
      const message = JSON.parse(text) as { type: string; id?: string; payload?: any };
      if (message.type === 'next') return onNext(index, at, text, message.payload ?? {});
      if (message.type === 'connection_ack' && !acked) {
        acked = true;
        socket.send(JSON.stringify({ id: SUBSCRIPTION_ID, type: 'subscribe', payload: operation }));
        return resolve(member);
      }
      if (message.type === 'ping') return socket.send(JSON.stringify({ type: 'pong' }));
      if (message.type === 'error') return onProblem(index, `error message ${JSON.stringify(message.payload).slice(0, 300)}`);
      if (message.type === 'complete') return onProblem(index, 'the server completed the subscription');
    });
    socket.on('error', (error) => {
      if (!acked) reject(new Error(`WebSocket subscriber ${index}: ${error.message}`));
      else onProblem(index, `socket error ${error.message}`);
    });
    socket.once('close', (code, reason) => {
      if (!acked) reject(new Error(`WebSocket subscriber ${index} closed before connection_ack: ${code} ${reason.toString()}`));
      else if (!closed) onProblem(index, `closed by the server: ${code} ${reason.toString()}`);
    });
  });
}

/** One agent for every event stream: each stream holds its own socket for its whole life. */
const streamAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

/** GraphQL over SSE, distinct-connection mode: POST /graphql with Accept: text/event-stream. */
function openEventStreamMember(graphqlUrl: string, operation: Operation, token: string | undefined, index: number, onNext: NextHandler, onProblem: ProblemHandler): Promise<Member> {
  return new Promise<Member>((resolve, reject) => {
    let closed = false;
    let responded = false;
    const body = JSON.stringify(operation);
    const request = http.request(graphqlUrl, {
      method: 'POST',
      agent: streamAgent,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'content-length': Buffer.byteLength(body),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    });
    const member: Member = {
      async close() {
        if (closed) return;
        closed = true;
        request.destroy();
      },
    };
    request.on('error', (error) => {
      if (closed) return;
      if (!responded) reject(new Error(`SSE subscriber ${index}: ${error.message}`));
      else onProblem(index, `stream error ${error.message}`);
    });
    request.once('response', (response) => {
      responded = true;
      if (response.statusCode !== 200 || !String(response.headers['content-type']).startsWith('text/event-stream')) {
        response.resume();
        reject(new Error(`SSE subscriber ${index}: HTTP ${response.statusCode} ${response.headers['content-type']}`));
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      response.on('data', (chunk: string) => {
        const at = performance.now();
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trimStart();
          }
          if (event === 'next' && data) onNext(index, at, data, JSON.parse(data) as { data?: Record<string, any>; errors?: unknown });
          else if (event === 'complete') onProblem(index, 'the server completed the stream');
        }
      });
      response.once('end', () => {
        if (!closed) onProblem(index, 'the server ended the stream');
      });
      response.on('error', (error) => {
        if (!closed) onProblem(index, `stream error ${error.message}`);
      });
      resolve(member);
    });
    request.end(body);
  });
}
