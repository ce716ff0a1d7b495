import type { Logger } from '../logger.ts';
import type { TokenEnd, TokenStore } from './tokens.ts';

/** Ends what a token holds open (sockets, subscriptions) once the token is revoked or expires. */
export interface TokenWatch {
  /** Calls `end` once when the token stops working; returns the function that stops watching. */
  watch(tokenId: string, end: (why: TokenEnd) => void): () => void;
  close(): void;
}

/**
 * Re-checks the tokens of everything open every `intervalMs` (one indexed query for all of them),
 * and ends at once what a revocation made in this process names. Polling rather than a message on
 * the bus or PostgreSQL LISTEN: revocations come from any instance or from the CLI, which is no
 * server and may have no Redis; expiry needs no one to announce it; and a lost message cannot
 * leave a revoked token streaming — the next check sees the database.
 */
export function createTokenWatch(tokens: TokenStore, logger: Logger, { intervalMs = 2000 }: { intervalMs?: number } = {}): TokenWatch {
  const watchers = new Map<string, Set<(why: TokenEnd) => void>>();
  const end = (tokenId: string, why: TokenEnd) => {
    const ends = watchers.get(tokenId);
    watchers.delete(tokenId);
    for (const callback of ends ?? []) callback(why);
    if (ends?.size) logger.info('live connections ended', { tokenId, why, count: ends.size });
  };
  tokens.onRevoked((id) => end(id, 'revoked'));

  let checking = false;
  const check = async () => {
    if (checking || !watchers.size) return;
    checking = true;
    try {
      for (const [id, why] of await tokens.ended([...watchers.keys()])) end(id, why);
    } catch (error) {
      // The database does not answer: nothing is ended on a guess; the next check tries again.
      logger.warn('token re-check failed', { error: (error as Error).message });
    } finally {
      checking = false;
    }
  };
  const timer = setInterval(() => void check(), intervalMs);
  timer.unref();

  return {
    watch(tokenId, callback) {
      let ends = watchers.get(tokenId);
      if (!ends) watchers.set(tokenId, (ends = new Set()));
      ends.add(callback);
      return () => {
        const current = watchers.get(tokenId);
        current?.delete(callback);
        if (current && !current.size) watchers.delete(tokenId);
      };
    },
    close: () => clearInterval(timer),
  };
}
