import type { PrismaClient } from '@fangkong/prisma';
import type { CommittedEvent } from './changes.ts';
import type { LiveFeed } from './live.ts';

/**
 * What every resolver receives, whatever the transport (HTTP, WebSocket, SSE).
 * Built once per operation by the server's `createContext`.
 */
export interface Context {
  prisma: PrismaClient;
  /** The zone's IANA time zone; reporting days run from 00:00 to 24:00 there. */
  timeZone: string;
  /** The current time; injectable so the server and tests agree on "today". */
  now(): Date;
  /** Who is acting, as recorded in audit entries, events and reports. */
  actor: string;
  /** Told after each write commits, with its outbox event (live subscriptions listen here). */
  onCommitted?: (event: CommittedEvent) => void;
  /** Live data for subscriptions; absent where the transport offers none. */
  live?: LiveFeed;
}
