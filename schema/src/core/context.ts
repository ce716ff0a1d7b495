import type { PrismaClient, Role } from '@fangkong/prisma';
import type { ExportCodes } from '../partners/export-codes.ts';
import type { ScreenPresence } from '../screens/presence.ts';
import type { CommittedEvent, LiveFeed } from './live.ts';

/**
 * What every resolver receives, whatever the transport (HTTP, WebSocket, SSE).
 * Built once per operation by the server's `createContext`.
 */
/** Who is calling: an API token's role and scope, resolved by the server before any resolver runs. */
export interface Viewer {
  tokenId: string;
  role: Role;
  /** Checkpoint/line ids for operators; area ids for health staff. */
  scope: string[];
  /** For health staff: every compound inside their areas, expanded when the token is verified. */
  compoundIds: string[];
  label: string;
}

export interface Context {
  prisma: PrismaClient;
  /** The zone's IANA time zone; reporting days run from 00:00 to 24:00 there. */
  timeZone: string;
  /** The current time; injectable so the server and tests agree on "today". */
  now(): Date;
  /** The caller; null only for unauthenticated requests, which the server refuses before execution. */
  viewer: Viewer | null;
  /** Who is acting, as recorded in audit entries, events and reports. */
  actor: string;
  /** The secret the audit trail's keyed hashes of personal fields are made with (core/audit-trail.ts). */
  auditKey: string;
  /** The secret gate passes are signed with (gate-scans/pass-code.ts); absent: passes cannot be issued or verified. */
  passKey?: string;
  /** Told when a scope check refuses a field (for logging and the audit trail). */
  onDenied?: (what: string) => void;
  /** Told after each write commits, with its outbox event (live subscriptions listen here). */
  onCommitted?: (event: CommittedEvent) => void;
  /**
   * Runs one expensive statement (a window of a chart series) when there is room for it: the server
   * lets only a few run at once, so they never hold the connections writes and live updates need,
   * lets others in between, and refuses one that waited too long. Absent: runs at once.
   */
  heavyRead?: <T>(read: () => Promise<T>) => Promise<T>;
  /** Live data for subscriptions; absent where the transport offers none. */
  live?: LiveFeed;
  /** How this instance keeps wall displays' presence (screens/presence.ts); absent: the defaults, no client build. */
  screens?: ScreenPresence;
  /** The deployment's codes for the standard exports (FANGKONG_EXPORT_CODES); absent: the defaults. */
  exportCodes?: ExportCodes;
}
