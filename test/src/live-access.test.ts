import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { globalId } from './support/ids.ts';
import { createTestDatabase, postgresReachable, query, type TestDatabase } from './support/postgres.ts';
import { run, tempDir } from './support/processes.ts';
import { redisReachable, redisUrl, runPrefix } from './support/redis.ts';
import { countsInput, reportCounts } from './support/reporting.ts';
import { createToken, startServer, type RunningServer } from './support/server.ts';

// Who may hold a live connection, and for how long: WebSocket authentication in connection_init,
// connection caps, per-operation errors on a shared socket, and live streams ended by revocation,
// expiry and the connection lifetime.

/** Close codes on the wire: graphql-transport-ws's, then Fangkong's own (zone's CloseCode). */
const CloseCode = { Unauthorized: 4401, Forbidden: 4403, TokenRevoked: 4411, TokenExpired: 4412, LifetimeReached: 4414, TooManyConnections: 4430 } as const;

interface Closed {
  code: number;
  reason: string;
  /** Date.now() when the close arrived. */
  at: number;
}

/** A raw graphql-transport-ws socket, to see exactly what the server answers and when it closes. */
class RawSocket {
  readonly messages: Record<string, any>[] = [];
  readonly closed: Promise<Closed>;
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)));
      for (const wake of this.waiters) wake();
    });
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason), at: Date.now() })));
  }

  static async open(httpUrl: string): Promise<RawSocket> {
    const socket = new WebSocket(`${httpUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const raw = new RawSocket(socket);
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    return raw;
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Sends connection_init; resolves with the ack, or with the close if the server refuses. */
  async init(token: string | null): Promise<{ acked: true } | ({ acked: false } & Closed)> {
    this.send({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} });
    return Promise.race([
      this.next((m) => m.type === 'connection_ack').then(() => ({ acked: true as const })),
      this.closed.then((closed) => ({ acked: false as const, ...closed })),
    ]);
  }

  /** The first message (already received or still to come) that satisfies the predicate. */
  next(predicate: (message: Record<string, any>) => boolean, timeoutMs = 15_000): Promise<Record<string, any>> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.messages.find(predicate);
        if (!hit) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(hit);
      };
      const fail = (why: string) => {
        this.waiters.delete(check);
        clearTimeout(timer);
        reject(new Error(`${why}; got ${JSON.stringify(this.messages).slice(0, 500)}`));
      };
      const timer = setTimeout(() => fail(`no such message within ${timeoutMs} ms`), timeoutMs);
      this.waiters.add(check);
      check();
      void this.closed.then(({ code, reason }) => setTimeout(() => fail(`the socket closed (${code} ${reason}) before such a message`), 50));
    });
  }

  close(): Promise<Closed> {
    this.socket.close(1000);
    return this.closed;
  }
}

const CHECKPOINTS = ['fengshou-road', 'yingbin-road-exit', 'lubao-market', 'jinshan-gate', 'binhe-gate', 'baida-supermarket', 'linxigu-gate'];
let reports = 0;
/** A report for a checkpoint and hour no other report of this file uses. */
const freshReport = () => {
  const n = reports++;
  return countsInput({ checkpoint: CHECKPOINTS[n % CHECKPOINTS.length], now: Date.now() - Math.floor(n / CHECKPOINTS.length) * 3_600_000, peopleScreened: 1 });
};

const ZONE = `subscription { zoneSummary { asOfSeq } }`;

/** A live stream seen from the client: what it received, and when it ended. */
interface Stream {
  /** Data payloads received, parsed. */
  results: Record<string, any>[];
  /** Resolves with Date.now() when the server ended the stream. */
  ended: Promise<number>;
  /** Resolves once the first result arrived. */
  first: Promise<void>;
  cancel(): void;
}

/** GraphQL over SSE, distinct connections (Yoga's, POST /graphql with Accept: text/event-stream). */
async function sseDistinct(httpUrl: string, token: string, subscription: string): Promise<Stream> {
  const controller = new AbortController();
  const response = await fetch(`${httpUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: subscription }),
    signal: controller.signal,
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const results: Record<string, any>[] = [];
  let gotFirst!: () => void;
  const first = new Promise<void>((resolve) => (gotFirst = resolve));
  const ended = (async () => {
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return Date.now();
      text += decoder.decode(value, { stream: true });
      let boundary = text.indexOf('\n\n');
      while (boundary >= 0) {
        const data = /^data: (.*)$/m.exec(text.slice(0, boundary));
        if (data?.[1]) {
          results.push(JSON.parse(data[1]));
          gotFirst();
        }
        text = text.slice(boundary + 2);
        boundary = text.indexOf('\n\n');
      }
    }
  })();
  return { results, ended, first, cancel: () => controller.abort() };
}

/** graphql-sse's single-connection mode on /graphql/stream. */
function sseSingle(httpUrl: string, token: string, subscription: string): Stream {
  const client = createSseClient({ url: `${httpUrl}/graphql/stream`, singleConnection: true, retryAttempts: 0, headers: { authorization: `Bearer ${token}` } });
  const results: Record<string, any>[] = [];
  let gotFirst!: () => void;
  const first = new Promise<void>((resolve) => (gotFirst = resolve));
  let dispose = () => {};
  const ended = new Promise<number>((resolve) => {
    dispose = client.subscribe<Record<string, any>>({ query: subscription }, {
      next: (result) => {
        results.push(result as Record<string, any>);
        gotFirst();
      },
      error: () => resolve(Date.now()),
      complete: () => resolve(Date.now()),
    });
  });
  return { results, ended, first, cancel: () => {
    dispose();
    client.dispose();
  } };
}

/** A WebSocket subscription on a raw socket; it ends when the server closes the socket. */
async function wsStream(httpUrl: string, token: string, subscription: string): Promise<Stream & { raw: RawSocket }> {
  const raw = await RawSocket.open(httpUrl);
  expect(await raw.init(token)).toEqual({ acked: true });
  raw.send({ id: 's', type: 'subscribe', payload: { query: subscription } });
  const results: Record<string, any>[] = [];
  const first = raw.next((m) => m.id === 's' && m.type === 'next').then(() => undefined);
  const ended = raw.closed.then((closed) => {
    results.push(...raw.messages.filter((m) => m.id === 's').map((m) => m.payload));
    return closed.at;
  });
  return { raw, results, ended, first, cancel: () => void raw.close() };
}

/** The token id `token list` shows for a label. */
async function tokenId(env: NodeJS.ProcessEnv, label: string): Promise<string> {
  const listed = await run('pnpm', ['--silent', 'fangkong', 'token', 'list'], env);
  expect(listed.code, listed.stderr).toBe(0);
  const line = listed.stdout.split('\n').find((l) => l.includes(label));
  expect(line, listed.stdout).toBeDefined();
  return line!.split(/\s+/)[0]!;
}

/** Whether a promise settles within the time. */
const within = <T,>(promise: Promise<T>, ms: number) => Promise.race([promise.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

const EVENTS = `subscription { events(types: [CHECKPOINT_REPORT_REPORTED]) { seq subjectId } }`;

/** Whether the socket is still open after a moment to be refused in. */
async function stillOpen(raw: RawSocket, ms = 300): Promise<boolean> {
  const outcome = await Promise.race([raw.closed.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('open'), ms))]);
  return outcome === 'open';
}

describe('WebSocket connections on the embedded database', () => {
  const dir = tempDir();
  const env = {
    FANGKONG_DATA_DIR: dir.path,
    FANGKONG_WS_INIT_TIMEOUT_MS: '20000',
    FANGKONG_WS_MAX_PER_TOKEN: '3',
    FANGKONG_WS_MAX_PER_ADDRESS: '6',
  };
  let server: RunningServer;
  const sockets: RawSocket[] = [];
  const open = async () => {
    const raw = await RawSocket.open(server.url);
    sockets.push(raw);
    return raw;
  };
  const closeAll = async () => {
    await Promise.all(sockets.splice(0).map((raw) => raw.close()));
  };

  beforeAll(async () => {
    server = await startServer(env);
  });

  afterAll(async () => {
    await closeAll();
    await server?.stop();
    dir.remove();
  });

  describe('Connect: the token is checked in connection_init', () => {
    it('refuses an anonymous connection_init with 4403 naming how to authenticate', async () => {
      const raw = await open();
      const answer = await raw.init(null);
      expect(answer).toMatchObject({ acked: false, code: CloseCode.Forbidden });
      expect((answer as Closed).reason).toMatch(/authentication required/);
      await closeAll();
    });

    it('neither validates nor runs an operation an anonymous socket sends right after connection_init', async () => {
      const raw = await open();
      raw.send({ type: 'connection_init', payload: {} });
      raw.send({ id: '1', type: 'subscribe', payload: { query: 'subscription { noSuchField }' } });
      const closed = await raw.closed;
      // 4401 if the subscribe is read before the refusal (a subscribe before the ack), else 4403.
      expect([CloseCode.Unauthorized, CloseCode.Forbidden]).toContain(closed.code);
      expect(raw.messages).toEqual([]);
      await closeAll();
    });

    it('refuses an unknown token with 4403 saying so', async () => {
      const raw = await open();
      const answer = await raw.init(`fk_${'x'.repeat(43)}`);
      expect(answer).toMatchObject({ acked: false, code: CloseCode.Forbidden });
      expect((answer as Closed).reason).toMatch(/unknown, revoked or expired/);
      await closeAll();
    });

    it('acknowledges a valid token given in connection_init', async () => {
      const raw = await open();
      expect(await raw.init(server.adminToken)).toEqual({ acked: true });
      await closeAll();
    });
  });

  describe('Caps: connections per token and per address', () => {
    it('refuses a token its fourth socket, and takes one again once a socket closes', async () => {
      const token = await createToken(env, 'display', [], 'capped wall');
      const held = [await open(), await open(), await open()];
      for (const raw of held) expect(await raw.init(token)).toEqual({ acked: true });
      const fourth = await open();
      const refused = await fourth.init(token);
      expect(refused).toMatchObject({ acked: false, code: CloseCode.TooManyConnections });
      expect((refused as Closed).reason).toMatch(/token/);
      // Another token is not held back by this one.
      const other = await open();
      expect(await other.init(server.adminToken)).toEqual({ acked: true });
      await held[0]!.close();
      const again = await open();
      expect(await again.init(token)).toEqual({ acked: true });
      expect(await stillOpen(again)).toBe(true);
      await closeAll();
    });

    it('refuses an address its seventh socket, counting sockets that have not sent connection_init yet', async () => {
      const held: RawSocket[] = [];
      for (let i = 0; i < 6; i++) held.push(await open());
      const seventh = await open();
      const closed = await seventh.closed;
      expect(closed.code).toBe(CloseCode.TooManyConnections);
      expect(closed.reason).toMatch(/address/);
      for (const raw of held) expect(await stillOpen(raw, 50)).toBe(true);
      await held[0]!.close();
      const again = await open();
      expect(await again.init(server.adminToken)).toEqual({ acked: true });
      await closeAll();
    });
  });

  describe('Subscribe: a refused operation is refused alone', () => {
    const nest = (depth: number) => `{ areas { edges { node { ${'parent { '.repeat(depth)}name${' }'.repeat(depth)} } } } }`;
    const ids = Array.from({ length: 501 }, (_, i) => globalId('Checkpoint', `c${i}`));
    const overLimit: [string, Record<string, unknown>][] = [
      ['31 aliases', { query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: zoneSummary { day }`).join(' ')} }` }],
      ['depth 20', { query: nest(20) }],
      ['3,000 tokens', { query: `{ zoneSummary { ${'day '.repeat(3000)} } }` }],
      ['21 directives', { query: `{ zoneSummary { day ${'@include(if: true) '.repeat(21)} } }` }],
      ['a huge page product', { query: `{ areas(first: 500) { edges { node { checkpoints(first: 500) { edges { node { reports(first: 500) { edges { node { id } } } } } } } } } }` }],
      ['a list of 501 ids', { query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, variables: { ids } }],
      ['a subscription naming 501 checkpoints', { query: `subscription { checkpointCounts(checkpointIds: ${JSON.stringify(ids)}) { asOfSeq } }` }],
    ];
    const logLines = (from: number) => server.output().slice(from).split('\n').filter(Boolean);
    const notJson = (lines: string[]) =>
      lines.filter((line) => {
        try {
          return typeof JSON.parse(line) !== 'object';
        } catch {
          return true;
        }
      });

    it('answers each over-limit operation with an error for its id alone; the socket and its live subscription go on, and the log stays JSON', async () => {
      const logBefore = server.output().length;
      const raw = await open();
      expect(await raw.init(server.adminToken)).toEqual({ acked: true });
      raw.send({ id: 'live', type: 'subscribe', payload: { query: EVENTS } });
      const first = await reportCounts(server.graphqlUrl, freshReport());
      await raw.next((m) => m.id === 'live' && m.payload?.data?.events?.subjectId === first.report.id);
      for (const [name, payload] of overLimit) {
        raw.send({ id: name, type: 'subscribe', payload });
        const answer = await raw.next((m) => m.id === name);
        expect(answer.type, `${name}: ${JSON.stringify(answer)}`).toBe('error');
        expect(answer.payload[0].extensions?.code, `${name}: ${JSON.stringify(answer)}`).toMatch(/^[A-Z_]+$/);
        expect(JSON.stringify(answer)).not.toMatch(/ at .*\.(ts|js):\d+/);
      }
      expect(await stillOpen(raw, 100)).toBe(true);
      const second = await reportCounts(server.graphqlUrl, freshReport());
      await raw.next((m) => m.id === 'live' && m.payload?.data?.events?.subjectId === second.report.id);
      expect(raw.messages.filter((m) => m.id === 'live').every((m) => m.type === 'next')).toBe(true);
      const log = logLines(logBefore);
      expect(notJson(log)).toEqual([]);
      expect(log.filter((line) => line.includes('"operation refused"'))).toHaveLength(overLimit.length);
      await closeAll();
    });

    it('closes a socket whose message is over 512 KiB with 1009, logging one JSON line', async () => {
      const logBefore = server.output().length;
      const raw = await open();
      expect(await raw.init(server.adminToken)).toEqual({ acked: true });
      raw.send({ id: 'big', type: 'subscribe', payload: { query: `{ zoneSummary { day } } #${'x'.repeat(600_000)}` } });
      expect((await raw.closed).code).toBe(1009);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const log = logLines(logBefore);
      expect(notJson(log)).toEqual([]);
      expect(log.some((line) => line.includes('"websocket closed on a protocol error"'))).toBe(true);
      await closeAll();
    });
  });

  describe('Close: a token that expires ends its streams', () => {
    it('ends a WebSocket and an SSE stream when their token expires, and refuses the token after', async () => {
      // Long enough that the streams are open before it ends, even when each CLI run takes seconds on a loaded machine.
      const created = await run('pnpm', ['--silent', 'fangkong', 'token', 'create', '--role', 'display', '--label', 'short-lived wall', '--expires-in', '25s'], env);
      expect(created.code, created.stderr).toBe(0);
      const token = created.stdout.trim();
      const expiresAt = Date.parse(/expiring (\S+);/.exec(created.stderr)![1]!);
      const ws = await wsStream(server.url, token, ZONE);
      const sse = await sseDistinct(server.url, token, ZONE);
      await Promise.all([ws.first, sse.first]);
      expect(expiresAt - Date.now(), 'the streams opened too late to watch the token expire').toBeGreaterThan(3000);
      expect((await run('pnpm', ['--silent', 'fangkong', 'token', 'list'], env)).stdout).toMatch(/expires \S+\s+short-lived wall/);
      expect(await within(ws.ended, expiresAt - Date.now() + 10_000), 'the WebSocket outlived its token').toBe(true);
      expect(await within(sse.ended, 3000), 'the SSE stream outlived its token').toBe(true);
      const closed = await ws.raw.closed;
      expect(closed.code).toBe(CloseCode.TokenExpired);
      expect(closed.reason).toMatch(/expired/);
      for (const end of [closed.at, await sse.ended]) {
        expect(end).toBeGreaterThanOrEqual(expiresAt);
        expect(end - expiresAt).toBeLessThanOrEqual(5000);
      }
      expect(sse.results.at(-1)?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      expect(sse.results.at(-1)?.errors?.[0]?.message).toMatch(/expired/);
      const again = await open();
      expect(await again.init(token)).toMatchObject({ acked: false, code: CloseCode.Forbidden });
      // Refused over HTTP like a revoked token.
      const http = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ zoneSummary { day } }' }),
      });
      expect(http.status).toBe(403);
      const body = (await http.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
      expect(body.errors[0]!.message).toMatch(/expired/);
      await closeAll();
    });

    it('refuses an expiry that is not in the future, or not a duration', async () => {
      for (const args of [['--expires-in', '0h'], ['--expires-in', 'soon'], ['--expires-at', '2020-02-07T10:00:00+08:00'], ['--expires-at', '2099-01-01T00:00:00']]) {
        const result = await run('pnpm', ['--silent', 'fangkong', 'token', 'create', '--role', 'display', ...args], env);
        expect(result.code, args.join(' ')).not.toBe(0);
        expect(result.stdout).toBe('');
        expect(result.stderr).toMatch(/--expires-(in|at)/);
      }
    });
  });
});

describe('the WebSocket connection lifetime', () => {
  const dir = tempDir();
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({ FANGKONG_DATA_DIR: dir.path, FANGKONG_WS_MAX_LIFETIME_MS: '3000' });
  });

  afterAll(async () => {
    await server?.stop();
    dir.remove();
  });

  it('closes a socket once it reached the lifetime with 4414, telling the client to reconnect', async () => {
    const opened = Date.now();
    const ws = await wsStream(server.url, server.adminToken, ZONE);
    await ws.first;
    expect(await within(ws.ended, 8000), 'the socket outlived the lifetime').toBe(true);
    const closed = await ws.raw.closed;
    expect(closed.code).toBe(CloseCode.LifetimeReached);
    expect(closed.reason).toMatch(/reconnect/);
    // Up to a tenth earlier, never later than the lifetime plus scheduling.
    expect(closed.at - opened).toBeGreaterThanOrEqual(2600);
    expect(closed.at - opened).toBeLessThan(4500);
    const again = await wsStream(server.url, server.adminToken, ZONE);
    await again.first;
    again.cancel();
  });
});

const withServices = (await postgresReachable()) && (await redisReachable());

describe.skipIf(!withServices)('revocation across two PostgreSQL-backed instances with Redis', () => {
  let database: TestDatabase;
  let a: RunningServer;
  let b: RunningServer;
  const prefix = runPrefix('live-access');
  const env = () => ({ DATABASE_URL: database.url, REDIS_URL: redisUrl, FANGKONG_REDIS_PREFIX: prefix });

  beforeAll(async () => {
    database = await createTestDatabase('live_access');
    a = await startServer(env());
    b = await startServer(env());
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
  });

  it('ends WebSocket and both kinds of SSE subscription on every instance within 5 s of `token revoke` from the CLI', async () => {
    const token = await createToken(env(), 'display', [], 'wall to revoke');
    const id = await tokenId(env(), 'wall to revoke');
    const streams: [string, Stream & { raw?: RawSocket }][] = [];
    for (const [name, server] of [['A', a], ['B', b]] as const) {
      streams.push([`${name} WebSocket`, await wsStream(server.url, token, ZONE)]);
      streams.push([`${name} SSE /graphql`, await sseDistinct(server.url, token, ZONE)]);
      streams.push([`${name} SSE /graphql/stream`, sseSingle(server.url, token, ZONE)]);
    }
    try {
      await Promise.all(streams.map(([, stream]) => stream.first));
      // The CLI writes to PostgreSQL itself: no server hears of it but through the database.
      const revoked = await run('pnpm', ['--silent', 'fangkong', 'token', 'revoke', id], env());
      expect(revoked.code, revoked.stderr).toBe(0);
      const [row] = await query(database.url, `SELECT (EXTRACT(EPOCH FROM "revokedAt") * 1000)::float8 AS at FROM "ApiToken" WHERE id = $1`, [id]);
      const revokedAt = Number(row!.at);
      for (const [name, stream] of streams) {
        expect(await within(stream.ended, Math.max(0, revokedAt + 10_000 - Date.now())), `${name} kept streaming after the revocation`).toBe(true);
        const end = await stream.ended;
        expect(end, name).toBeGreaterThanOrEqual(revokedAt);
        expect(end - revokedAt, name).toBeLessThanOrEqual(5000);
        if (stream.raw) {
          const closed = await stream.raw.closed;
          expect(closed.code, name).toBe(CloseCode.TokenRevoked);
          expect(closed.reason, name).toMatch(/revoked/);
        } else {
          expect(stream.results.at(-1)?.errors?.[0]?.extensions?.code, name).toBe('UNAUTHENTICATED');
        }
      }
    } finally {
      for (const [, stream] of streams) stream.cancel();
    }
  });
});
