import { describe, expect, it } from 'vitest';
import { readToken, takeTokenFromUrl, TOKEN_KEY } from './token.ts';

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

describe('token from the address', () => {
  it('stores ?token= once and removes it from the URL, keeping the other parameters', () => {
    const { env, storage, replaced } = environment('http://hq/?token=display-token&lang=en#top');
    expect(takeTokenFromUrl(env)).toBe('display-token');
    expect(storage.get(TOKEN_KEY)).toBe('display-token');
    expect(replaced).toEqual(['/?lang=en#top']);
  });

  it('uses the stored token on later visits without touching the URL', () => {
    const { env, replaced } = environment('http://hq/', { [TOKEN_KEY]: 'kept' });
    expect(takeTokenFromUrl(env)).toBe('kept');
    expect(replaced).toEqual([]);
  });

  it('a new ?token= replaces the stored one', () => {
    const { env } = environment('http://hq/report?token=new', { [TOKEN_KEY]: 'old' });
    expect(takeTokenFromUrl(env)).toBe('new');
  });

  it('survives storage that throws (private mode)', () => {
    expect(readToken({ getItem: () => { throw new Error('denied'); } })).toBeNull();
  });
});
