import type { Screen } from '@fangkong/prisma';
import type { Context } from '../core/context.ts';

// A screen is live while a server instance holds its connection: that instance writes the screen's
// heartbeat every `heartbeatMs`, so whichever instance answers a query, and after an instance dies
// without a word, "live" is read from the database alone.

export interface ScreenPresence {
  /** This server instance (one per process): it writes the heartbeats of the connections it holds. */
  instanceId: string;
  /** How often the heartbeat of a held connection is written, and screens report how they are. @default 10000 */
  heartbeatMs: number;
  /** A screen whose heartbeat is older than this is silent, even if no instance said its connection ended. @default 30000 */
  silentAfterMs: number;
  /** The client build served now (the wall page's entry script, hashed by the build); null without a built client. */
  clientBuild(): string | null;
}

export const DEFAULT_PRESENCE: ScreenPresence = { instanceId: 'local', heartbeatMs: 10_000, silentAfterMs: 30_000, clientBuild: () => null };

export const presenceOf = (ctx: Context): ScreenPresence => ctx.screens ?? DEFAULT_PRESENCE;

/** Since when a screen is silent (its connection ended, or its last heartbeat), or null while it is live. */
export function silentSince(screen: Pick<Screen, 'heartbeatAt' | 'disconnectedAt' | 'registeredAt'>, now: Date, silentAfterMs: number): Date | null {
  if (screen.disconnectedAt) return screen.disconnectedAt;
  const last = screen.heartbeatAt ?? screen.registeredAt;
  return now.getTime() - last.getTime() > silentAfterMs ? last : null;
}
