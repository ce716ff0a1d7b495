import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { globalId } from './support/ids.ts';
import { tempDir } from './support/processes.ts';
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
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
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
});
