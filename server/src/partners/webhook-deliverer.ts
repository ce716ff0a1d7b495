import type { PrismaClient, Role } from '@fangkong/prisma';
import { type Context, endpointReceives, eventAreaPaths, type OutboxEvent, pauseWebhookEndpoint, webhookBody, type WebhookTarget } from '@fangkong/schema';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { OutboxFollower } from '../live/outbox-follower.ts';
import type { Logger } from '../logger.ts';
import { SIGNATURE_HEADER, signatureHeader } from './webhook-signature.ts';

export interface WebhookDelivererOptions {
  /** One POST may take this long; then it counts as failed. The lease lasts three times this. @default 10000 */
  timeoutMs?: number;
  /** First retry after about this long, doubling with each failure (with jitter). @default 1000 */
  retryBaseMs?: number;
  /** Retries are never further apart than this. @default 300000 */
  retryMaxMs?: number;
  /** An endpoint failing the same event for this long is paused. @default 86400000 */
  pauseAfterMs?: number;
  /** How often endpoints nobody delivers to are looked for (new, resumed, or left by a dead instance). @default 1000 */
  scanMs?: number;
  /** Events read per step. @default 200 */
  batch?: number;
}

interface ClaimedEndpoint {
  id: string;
  url: string;
  secret: string;
  role: Role;
  eventTypes: string[];
  areaPath: string | null;
  cursor: bigint;
  attempts: number;
  failingSince: Date | null;
  /** When this instance last extended the lease (its own clock). */
  renewedAt: number;
}

/**
 * Delivers outbox events to the registered webhook endpoints: each endpoint gets its own loop that
 * reads the outbox through the follower after the endpoint's cursor (in the database), POSTs each
 * event it should receive, signed, and moves the cursor only once the endpoint answered 2xx. A
 * failure is retried (exponential backoff, equal jitter) until it succeeds or the endpoint has
 * failed longer than `pauseAfterMs`, when it is paused; the cursor stays, so nothing is skipped.
 * Endpoints never wait for each other, and nothing here runs inside a write.
 *
 * Several instances: an endpoint is delivered to by the instance holding its lease, a row lock-free
 * claim on the endpoint's own row (`leaseOwner` until `leaseUntil`, by the database's clock),
 * renewed before every POST and lasting three request timeouts; every cursor move is conditional on
 * still holding it. An instance that dies stops renewing, and another takes the endpoint over after
 * the lease runs out, from the recorded cursor: the event in flight may be delivered again (at least
 * once), never lost. (A job queue such as graphile-worker or pg-boss would need a `pg` connection
 * and LISTEN/NOTIFY, which the embedded database does not offer in-process, and it would make one
 * job per event per endpoint where a cursor per endpoint already keeps order.)
 */
export function startWebhookDeliverer(
  follower: OutboxFollower,
  ctx: Omit<Context, 'viewer' | 'actor'> & { prisma: PrismaClient },
  logger: Logger,
  { timeoutMs = 10_000, retryBaseMs = 1000, retryMaxMs = 300_000, pauseAfterMs = 86_400_000, scanMs = 1000, batch = 200 }: WebhookDelivererOptions = {},
): { stop(): Promise<void> } {
  const prisma = ctx.prisma;
  const deliverer: Context = { ...ctx, viewer: null, actor: 'webhooks:deliverer' };
  const owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = timeoutMs * 3;
  const running = new Map<string, Promise<void>>();
  const sleepers = new Set<() => void>();
  let stopped = false;

  /** Waits `ms`, or less when stopping. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      timer.unref();
      sleepers.add(wake);
    });

  /** Keeps the lease while the endpoint is active; false when it is lost (paused, taken over, removed). */
  const renew = async (id: string) =>
    !stopped &&
    (await prisma.$executeRaw`
      UPDATE "WebhookEndpoint" SET "leaseUntil" = now() + ${leaseMs} * interval '1 millisecond'
      WHERE id = ${id} AND "leaseOwner" = ${owner} AND status = 'ACTIVE'`) === 1;

  /** Moves the cursor past `seq` (delivered, or none of the endpoint's own), as long as the lease is ours; extends it too. */
  const advance = async (endpoint: ClaimedEndpoint, seq: bigint, delivered: boolean) => {
    const moved =
      (await prisma.$executeRaw`
        UPDATE "WebhookEndpoint" SET cursor = GREATEST(cursor, ${seq}), delivered = delivered + ${delivered ? 1 : 0},
          attempts = 0, "failingSince" = NULL, "nextAttemptAt" = NULL,
          "lastDeliveredAt" = CASE WHEN ${delivered} THEN now() ELSE "lastDeliveredAt" END,
          "leaseUntil" = now() + ${leaseMs} * interval '1 millisecond'
        WHERE id = ${endpoint.id} AND "leaseOwner" = ${owner}`) === 1;
    if (moved) Object.assign(endpoint, { cursor: seq, attempts: 0, failingSince: null, renewedAt: Date.now() });
    return moved;
  };

  /**
   * Before a POST: the lease must outlast the request. Renewed (and the status checked) only when a
   * third of it has gone by since the last renewal, so a busy endpoint costs one statement per event
   * (the cursor move, which extends the lease too); an admin's pause stops delivery within that third.
   */
  const keep = async (endpoint: ClaimedEndpoint) => {
    if (Date.now() - endpoint.renewedAt < leaseMs / 3 && !stopped) return true;
    if (!(await renew(endpoint.id))) return false;
    endpoint.renewedAt = Date.now();
    return true;
  };

  const recordFailure = async (id: string, attempts: number, error: string, failingSince: Date, retryInMs: number) =>
    (await prisma.$executeRaw`
      UPDATE "WebhookEndpoint" SET attempts = ${attempts}, "lastError" = ${error.slice(0, 500)}, "failingSince" = ${failingSince},
        "lastAttemptAt" = now(), "nextAttemptAt" = now() + ${retryInMs} * interval '1 millisecond'
      WHERE id = ${id} AND "leaseOwner" = ${owner} AND status = 'ACTIVE'`) === 1;

  const post = async (endpoint: ClaimedEndpoint, event: OutboxEvent, attempt: number): Promise<string | null> => {
    const body = webhookBody(endpoint.id, event);
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Fangkong-Webhooks/1',
          [SIGNATURE_HEADER]: signatureHeader(endpoint.secret, body),
          'fangkong-event-cursor': String(event.seq),
          'fangkong-event-type': event.type,
          'fangkong-delivery-attempt': String(attempt),
        },
      });
      await response.body?.cancel();
      return response.ok ? null : `HTTP ${response.status}`;
    } catch (error) {
      const cause = (error as Error & { cause?: { code?: string } }).cause;
      return `${(error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : (error as Error).message}${cause?.code ? ` (${cause.code})` : ''}`;
    }
  };

  /** Exponential backoff with equal jitter: between half and all of base × 2^(n−1), capped. */
  const backoff = (attempts: number) => {
    const cap = Math.min(retryMaxMs, retryBaseMs * 2 ** Math.min(attempts - 1, 30));
    return Math.round(cap / 2 + Math.random() * (cap / 2));
  };

  /** Waits out a retry delay, renewing the lease on the way; false when it was lost. */
  const waitRenewing = async (id: string, ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      await sleep(Math.min(until - Date.now(), leaseMs / 3));
      if (!(await renew(id))) return false;
    }
    return true;
  };

  /** Delivers one event until it is taken (true) or the endpoint is lost or paused (false). */
  const deliver = async (endpoint: ClaimedEndpoint, event: OutboxEvent): Promise<boolean> => {
    for (;;) {
      if (!(await keep(endpoint))) return false;
      const error = await post(endpoint, event, endpoint.attempts + 1);
      if (error === null) return advance(endpoint, event.seq, true);
      endpoint.attempts += 1;
      endpoint.failingSince ??= new Date();
      if (Date.now() - endpoint.failingSince.getTime() >= pauseAfterMs) {
        const reason = `failed for ${Math.round((Date.now() - endpoint.failingSince.getTime()) / 1000)} s (${endpoint.attempts} attempts at event ${event.seq}; last: ${error})`;
        await prisma.$executeRaw`UPDATE "WebhookEndpoint" SET attempts = ${endpoint.attempts}, "lastError" = ${error.slice(0, 500)}, "lastAttemptAt" = now() WHERE id = ${endpoint.id} AND "leaseOwner" = ${owner}`;
        await pauseWebhookEndpoint(deliverer, endpoint.id, reason, owner);
        logger.warn('webhook endpoint paused', { endpoint: endpoint.id, reason });
        return false;
      }
      const delay = backoff(endpoint.attempts);
      logger.debug('webhook delivery failed; retrying', { endpoint: endpoint.id, cursor: String(event.seq), attempts: endpoint.attempts, error, retryInMs: delay });
      if (!(await recordFailure(endpoint.id, endpoint.attempts, error, endpoint.failingSince, delay))) return false;
      if (!(await waitRenewing(endpoint.id, delay))) return false;
    }
  };

  /** One endpoint's loop: its events after its cursor, in order, one at a time. */
  const follow = async (endpoint: ClaimedEndpoint) => {
    const target: WebhookTarget = { id: endpoint.id, role: endpoint.role, eventTypes: endpoint.eventTypes, areaPath: endpoint.areaPath };
    while (await keep(endpoint)) {
      const events = await follower.readAfter(endpoint.cursor, batch);
      if (!events.length) {
        if (follower.isClosed) return;
        await Promise.race([follower.waitFor(endpoint.cursor), sleep(leaseMs / 3)]);
        continue;
      }
      const paths = await eventAreaPaths(prisma, events);
      let passed = endpoint.cursor;
      for (const event of events) {
        if (!endpointReceives(target, event, paths.get(event.seq) ?? null)) {
          passed = event.seq;
          continue;
        }
        if (passed > endpoint.cursor && !(await advance(endpoint, passed, false))) return;
        if (!(await deliver(endpoint, event))) return;
        passed = event.seq;
      }
      if (passed > endpoint.cursor && !(await advance(endpoint, passed, false))) return;
    }
  };

  /** Claims every active endpoint whose lease is free (or ours, or run out) and starts its loop. */
  const claim = async () => {
    const claimed = await prisma.$queryRaw<Omit<ClaimedEndpoint, 'renewedAt'>[]>`
      UPDATE "WebhookEndpoint" AS w SET "leaseOwner" = ${owner}, "leaseUntil" = now() + ${leaseMs} * interval '1 millisecond'
      WHERE status = 'ACTIVE' AND ("leaseOwner" IS NULL OR "leaseOwner" = ${owner} OR "leaseUntil" < now())
        AND NOT (id = ANY(${[...running.keys()]}::text[]))
      RETURNING id, url, secret, role::text AS role, "eventTypes", cursor, attempts, "failingSince",
        (SELECT path FROM "Area" a WHERE a.id = w."areaId") AS "areaPath"`;
    for (const row of claimed) {
      const endpoint: ClaimedEndpoint = { ...row, renewedAt: Date.now() };
      const loop = follow(endpoint)
        .catch((error: unknown) => {
          if (!stopped) logger.warn('webhook delivery stopped; the endpoint is taken up again on the next scan', { endpoint: endpoint.id, error: (error as Error).message });
        })
        .finally(() => running.delete(endpoint.id));
      running.set(endpoint.id, loop);
    }
  };

  const scanning = (async () => {
    while (!stopped) {
      try {
        await claim();
      } catch (error) {
        if (!stopped) logger.warn('webhook endpoints could not be claimed; trying again', { error: (error as Error).message });
      }
      await sleep(scanMs);
    }
  })();

  return {
    async stop() {
      stopped = true;
      for (const wake of [...sleepers]) wake();
      await scanning;
      // A POST in flight finishes (or times out); its success is still recorded.
      await Promise.race([Promise.all(running.values()), sleep(timeoutMs + 1000)]);
      await prisma.$executeRaw`UPDATE "WebhookEndpoint" SET "leaseOwner" = NULL, "leaseUntil" = NULL WHERE "leaseOwner" = ${owner}`.catch(() => {});
    },
  };
}
