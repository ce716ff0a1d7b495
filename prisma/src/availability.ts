import pg from 'pg';

/**
 * How long the PostgreSQL pool waits before it calls the database unavailable. A refused database
 * answers at once; these bound the silent cases (a network partition, a host that is gone).
 */
export interface AvailabilityTimeouts {
  /** Opening a connection, or waiting for a free one in the pool (the server passes 1000). @default 5000 */
  connectTimeoutMs?: number;
  /**
   * A statement without any answer for this long makes the pool check, over a fresh connection,
   * that the database still sees the statement's session; a connection it cannot vouch for is closed.
   * A long statement or a lock wait is left to finish (statement_timeout bounds those). @default 1000
   */
  silenceProbeMs?: number;
}

export const CONNECT_TIMEOUT_MS = 5000;
export const SILENCE_PROBE_MS = 1000;

/** The message of the error a statement fails with when its connection is closed as lost. */
export const LOST_MESSAGE = 'the connection to the database was lost (no answer, and the database could not be reached to check)';

type Stream = { destroy(error?: Error): void };
const streamOf = (client: pg.Client) => (client as unknown as { connection?: { stream?: Stream } }).connection?.stream;
const backendOf = (client: pg.Client) => (client as unknown as { processID?: number }).processID;

/**
 * The sessions the database has open right now, asked over a connection of its own; null when that
 * connection cannot be opened or gets no answer in time (the database is unreachable). One probe at
 * a time, shared by every statement waiting on it.
 */
function sessionProbe(config: pg.ClientConfig, timeoutMs: number): () => Promise<Set<number> | null> {
  let running: Promise<Set<number> | null> | null = null;
  return () => {
    running ??= (async () => {
      const client = new pg.Client({ ...config, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
      client.on('error', () => {});
      try {
        await client.connect();
        const { rows } = await client.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
        return new Set(rows.map((row) => row.pid));
      } catch (error) {
        // The database answered, with a refusal: the network is fine, the sessions are its business.
        return typeof (error as { severity?: unknown }).severity === 'string' ? new Set<number>() : null;
      } finally {
        streamOf(client)?.destroy();
        running = null;
      }
    })();
    return running;
  };
}

/**
 * A pg Client that notices a connection gone silent. In a network partition a statement waits for
 * an answer that never comes (TCP keeps the socket open for minutes). pg's own `query_timeout` would
 * fail the statement but keep the connection, still waiting for the lost answer, so the statements
 * queued after it (a transaction's ROLLBACK among them) never reach the database and the connection
 * goes back to the pool inside an open transaction. Here a silent statement triggers a check: when
 * the database cannot be reached, the connection is destroyed (every statement on it fails, the pool
 * drops it, PostgreSQL rolls back what was open once it notices); when the database still has the
 * session (a long statement, a lock wait), the statement is left alone and checked again later.
 */
export function clientWithSilenceProbe(config: pg.ClientConfig, silenceMs: number, connectTimeoutMs: number): typeof pg.Client {
  const probe = sessionProbe(config, connectTimeoutMs);
  return class SilenceProbedClient extends pg.Client {
    // biome-ignore lint/suspicious/noExplicitAny: pg's query has a dozen overloads; this forwards them all.
    override query(...args: any[]): any {
      let settled = false;
      let timer: NodeJS.Timeout;
      const arm = () => {
        timer = setTimeout(async () => {
          const sessions = await probe();
          if (settled) return;
          const pid = backendOf(this);
          // Reachable, and the session is there (or the database refused to say): wait on.
          if (sessions && (pid === undefined || sessions.size === 0 || sessions.has(pid))) return arm();
          // Unreachable, or reachable without this session (the connection died on its own).
          streamOf(this)?.destroy(new Error(LOST_MESSAGE));
        }, silenceMs);
        timer.unref();
      };
      const done = () => {
        settled = true;
        clearTimeout(timer);
      };
      arm();
      const last = args.length - 1;
      if (typeof args[last] === 'function') {
        const callback = args[last] as (...results: unknown[]) => void;
        args[last] = (...results: unknown[]) => {
          done();
          callback(...results);
        };
        // biome-ignore lint/suspicious/noExplicitAny: forwarding the overloads.
        return (super.query as any)(...args);
      }
      // biome-ignore lint/suspicious/noExplicitAny: forwarding the overloads.
      const result = (super.query as any)(...args);
      if (result && typeof result.then === 'function') return (result as Promise<unknown>).finally(done);
      // A Submittable (a cursor, a stream) reports by events; it is not watched.
      done();
      return result;
    }
  };
}

/** pg's and pg-pool's own messages for a connection that could not be opened or was lost. */
const LOST_CONNECTION = [/timeout exceeded when trying to connect/i, /Connection terminated/i, /Query read timeout/i, /not currently accepting connections/i];

/**
 * SQLSTATEs of a database that cannot serve now but may soon: connection exceptions (class 08),
 * too many connections, administrator or crash shutdown, starting up, and a database closed to
 * connections (55000 with its message, as `ALLOW_CONNECTIONS false` answers).
 */
const UNAVAILABLE_STATES = /^(08\d{3}|53300|57P0[1-3])$/;

/** Prisma's codes for an unreachable server, a connection or pool timeout, and a transaction that could not start. */
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2028']);

/** Driver adapter error kinds (Prisma's driver-adapter-utils) that mean the connection failed. */
const ADAPTER_UNAVAILABLE = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * Whether an error means the database is unavailable (unreachable, refusing, partitioned, overloaded)
 * rather than a fault of the statement: the request can be retried later as it is. Follows the
 * causes Prisma and its driver adapter wrap around pg's error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const e = queue.shift() as Record<string, unknown> | undefined;
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    const code = typeof e.code === 'string' ? e.code : undefined;
    const message = typeof e.message === 'string' ? e.message : '';
    if (code && (PRISMA_UNAVAILABLE.has(code) || UNAVAILABLE_STATES.test(code))) return true;
    if (code === '55000' && /accepting connections/i.test(message)) return true;
    if (typeof e.kind === 'string' && ADAPTER_UNAVAILABLE.has(e.kind)) return true;
    if (e.kind === 'postgres' && typeof e.code === 'string' && UNAVAILABLE_STATES.test(e.code)) return true;
    if (message === LOST_MESSAGE || LOST_CONNECTION.some((pattern) => pattern.test(message))) return true;
    const meta = e.meta as Record<string, unknown> | undefined;
    queue.push(e.cause, e.originalError, meta?.driverAdapterError, (meta?.driverAdapterError as Record<string, unknown> | undefined)?.cause, meta?.cause);
  }
  return false;
}
