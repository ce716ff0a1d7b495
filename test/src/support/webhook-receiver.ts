import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST as a partner's receiver saw it. */
export interface Delivery {
  /** The path it came to (one per registered endpoint). */
  path: string;
  cursor: string;
  type: string;
  body: Record<string, any>;
  attempt: number;
  /** Whether the signature checked out against the path's secret. */
  signed: boolean;
  /** What the receiver answered. */
  status: number;
}

/** Verifies `t=<unix>,v1=<hex>` as a partner would, from the documentation alone. */
export function verifySignature(secret: string, header: string | undefined, raw: string): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));
  if (!parts.t || !parts.v1) return false;
  if (Math.abs(Date.now() / 1000 - Number(parts.t)) > 300) return false;
  const expected = createHmac('sha256', secret).update(`${parts.t}.${raw}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * A real HTTP receiver: records every delivery, checks its signature with the secret registered for
 * its path, and answers what `answer` says (200 unless told otherwise; it may also delay). It can be
 * taken down and brought back on the same port.
 */
export async function startReceiver() {
  const secrets = new Map<string, string>();
  const deliveries: Delivery[] = [];
  const waiters = new Set<() => void>();
  let answer: (delivery: Omit<Delivery, 'status'>) => number | Promise<number> = () => 200;
  let server: Server;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', async () => {
          const raw = Buffer.concat(chunks).toString();
          const path = req.url ?? '/';
          const body = JSON.parse(raw) as Record<string, any>;
          const seen = {
            path,
            cursor: String(req.headers['fangkong-event-cursor']),
            type: String(req.headers['fangkong-event-type']),
            body,
            attempt: Number(req.headers['fangkong-delivery-attempt']),
            signed: verifySignature(secrets.get(path) ?? '', req.headers['fangkong-signature'] as string | undefined, raw),
          };
          const status = await answer(seen);
          deliveries.push({ ...seen, status });
          res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
          for (const wake of [...waiters]) wake();
        });
      });
      server.listen(port, '127.0.0.1', () => {
        port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  await listen();

  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    deliveries,
    /** The deliveries a path answered 2xx to, in arrival order. */
    accepted: (path: string) => deliveries.filter((d) => d.path === path && d.status < 300),
    secretFor: (path: string, secret: string) => secrets.set(path, secret),
    answerWith(fn: typeof answer) {
      answer = fn;
    },
    /** Resolves once `done()` holds, re-checked after each delivery. */
    until(done: () => boolean, timeoutMs = 30_000, what = 'deliveries'): Promise<void> {
      if (done()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what} (${deliveries.length} deliveries seen)`));
        }, timeoutMs);
        const check = () => {
          if (!done()) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    /** Stops listening (connections refused) until `up()`. */
    down: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    up: listen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
