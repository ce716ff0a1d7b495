/** localStorage key of the access token; the display and the report page share it per origin. */
export const TOKEN_KEY = 'fangkong.token';

export interface TokenEnvironment {
  location: { href: string };
  history: { replaceState(data: unknown, unused: string, url?: string | URL | null): void; state: unknown };
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
}

/**
 * Takes `?token=` from the address once: stores it and removes it from the URL (so it is not left
 * in the history, in screenshots or in a bookmark). Returns the stored token, if any.
 */
export function takeTokenFromUrl(env: TokenEnvironment): string | null {
  const fromUrl = removeTokenFromUrl(env);
  if (fromUrl) storeToken(env.storage, fromUrl);
  return readToken(env.storage);
}

/**
 * Removes `?token=` from the address (as takeTokenFromUrl does) and returns it without storing it,
 * for a screen that keeps a token only once the server has accepted it.
 */
export function removeTokenFromUrl(env: Pick<TokenEnvironment, 'location' | 'history'>): string | null {
  const url = new URL(env.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl === null) return null;
  url.searchParams.delete('token');
  env.history.replaceState(env.history.state, '', `${url.pathname}${url.search}${url.hash}`);
  return fromUrl.trim() || null;
}

export function readToken(storage: Pick<Storage, 'getItem'>): string | null {
  try {
    return storage.getItem(TOKEN_KEY) || null;
  } catch {
    return null;
  }
}

export function storeToken(storage: Pick<Storage, 'setItem' | 'removeItem'>, token: string | null): void {
  try {
    if (token) storage.setItem(TOKEN_KEY, token);
    else storage.removeItem(TOKEN_KEY);
  } catch {
    // Storage can be unavailable (private mode); the token then lives for this page only.
  }
}

/** The Authorization header value for a token. */
export const bearer = (token: string) => `Bearer ${token}`;
