import { CloseCode, ErrorCode } from '@fangkong/zone';
import { describe, expect, it } from 'vitest';
import { TOKEN_KEY } from '../auth/token.ts';
import { refusalOfClose, refusalOfError, WallToken } from './access.ts';

function environment(href: string, stored: Record<string, string> = {}) {
  const storage = new Map(Object.entries(stored));
  const replaced: string[] = [];
  return {
    replaced,
    storage,
    env: {
      location: { href },
      history: { state: null, replaceState: (_: unknown, __: string, url?: string | URL | null) => void replaced.push(String(url)) },
      storage: {
        getItem: (k: string) => storage.get(k) ?? null,
        setItem: (k: string, v: string) => void storage.set(k, v),
        removeItem: (k: string) => void storage.delete(k),
      },
    },
  };
}

describe('what a refusal means', () => {
  it('tells no token from a refused one at connection_init, and names revoked and expired', () => {
    expect(refusalOfClose(CloseCode.Forbidden, false)).toBe('no-token');
    expect(refusalOfClose(CloseCode.Forbidden, true)).toBe('unknown');
    expect(refusalOfClose(CloseCode.TokenRevoked, true)).toBe('revoked');
    expect(refusalOfClose(CloseCode.TokenExpired, true)).toBe('expired');
  });

  it('takes outages, restarts and missed pongs for what they are, not refusals', () => {
    for (const code of [1006, CloseCode.GoingAway, CloseCode.TryAgainLater, CloseCode.PongTimeout, CloseCode.LifetimeReached, CloseCode.TooManyConnections]) {
      expect(refusalOfClose(code, true)).toBeNull();
    }
  });

  it('reads GraphQL error codes', () => {
    expect(refusalOfError(ErrorCode.Unauthenticated, true)).toBe('unknown');
    expect(refusalOfError(ErrorCode.Unauthenticated, false)).toBe('no-token');
    expect(refusalOfError(ErrorCode.Forbidden, true)).toBe('forbidden');
    expect(refusalOfError(ErrorCode.RateLimited, true)).toBeNull();
  });
});

describe('the screen’s token', () => {
  it('keeps a token from the address only once the server accepted it', () => {
    const { env, storage, replaced } = environment('http://hq/?token=good&lang=en');
    const token = new WallToken(env);
    expect(token.get()).toBe('good');
    expect(replaced).toEqual(['/?lang=en']);
    expect(storage.has(TOKEN_KEY)).toBe(false);
    token.accepted();
    expect(storage.get(TOKEN_KEY)).toBe('good');
  });

  it('never stores a refused token from the address, and leaves the stored one alone', () => {
    const { env, storage } = environment('http://hq/?token=wrong', { [TOKEN_KEY]: 'earlier' });
    const token = new WallToken(env);
    expect(token.get()).toBe('wrong');
    token.refused('unknown');
    expect(storage.get(TOKEN_KEY)).toBe('earlier');
  });

  it('removes a stored token the server refuses as unknown, revoked or expired, but not one refused for its role', () => {
    for (const why of ['unknown', 'revoked', 'expired'] as const) {
      const { env, storage } = environment('http://hq/', { [TOKEN_KEY]: 'stored' });
      const token = new WallToken(env);
      expect(token.get()).toBe('stored');
      token.accepted();
      token.refused(why);
      expect(storage.has(TOKEN_KEY)).toBe(false);
    }
    const { env, storage } = environment('http://hq/', { [TOKEN_KEY]: 'operator' });
    new WallToken(env).refused('forbidden');
    expect(storage.get(TOKEN_KEY)).toBe('operator');
  });

  it('has no token when opened without one', () => {
    const { env } = environment('http://hq/?lang=en');
    expect(new WallToken(env).get()).toBeNull();
  });
});
