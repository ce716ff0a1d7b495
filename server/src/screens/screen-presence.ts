import { randomUUID } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@fangkong/prisma';
import type { ScreenPresence } from '@fangkong/schema';

export interface ScreenPresenceOptions {
  /** The built client served at / (FANGKONG_CLIENT_DIST). */
  clientDist: string;
  /** @default 10000 */
  heartbeatMs?: number;
  /** @default 30000 */
  silentAfterMs?: number;
}

/**
 * This instance's part in the screen registry: its id (written on the screens whose connections it
 * holds), the heartbeat, and the client build it serves, which connected screens compare with their
 * own to reload after a redeploy.
 */
export function createScreenPresence({ clientDist, heartbeatMs = 10_000, silentAfterMs = 30_000 }: ScreenPresenceOptions): ScreenPresence {
  if (silentAfterMs <= heartbeatMs) {
    throw new ConfigError(`FANGKONG_SCREEN_SILENT_AFTER_MS (${silentAfterMs}) must be longer than FANGKONG_SCREEN_HEARTBEAT_MS (${heartbeatMs}), or every screen looks silent between heartbeats`);
  }
  return { instanceId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, heartbeatMs, silentAfterMs, clientBuild: servedClientBuild(clientDist) };
}

/**
 * The client build served from `distDir`: the wall page's entry script as its index.html names it
 * (`/assets/index-<hash>.js`; the hash changes with any change to the code). Read again when the
 * file changes (a deploy that replaces the files while the server runs), looked at once a second at
 * most; null without a build.
 */
export function servedClientBuild(distDir: string, recheckMs = 1000): () => string | null {
  const file = join(distDir, 'index.html');
  let checkedAt = 0;
  let version = '';
  let build: string | null = null;
  return () => {
    const now = Date.now();
    if (now - checkedAt < recheckMs) return build;
    checkedAt = now;
    try {
      const stats = statSync(file);
      const seen = `${stats.mtimeMs}:${stats.size}`;
      if (seen !== version) {
        version = seen;
        build = /<script\b[^>]*type="module"[^>]*\bsrc="([^"]+)"/.exec(readFileSync(file, 'utf8'))?.[1] ?? null;
      }
    } catch {
      version = '';
      build = null;
    }
    return build;
  };
}
