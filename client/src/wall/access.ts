import { CloseCode, ErrorCode } from '@fangkong/zone';
import { readToken, removeTokenFromUrl, storeToken, type TokenEnvironment } from '../auth/token.ts';

// Whether the server lets this screen see the figures, and the token it uses. A screen the server
// refuses must say so (it must not look like a live, empty wall), and a token the server refused
// is never kept: a wrong ?token= would otherwise break the screen for good.

/** Why the screen is not authorised. */
export type Refusal =
  /** No token at all: the screen was opened without ?token=. */
  | 'no-token'
  /** The server does not know the token, or it was revoked. */
  | 'unknown'
  | 'revoked'
  | 'expired'
  /** A valid token whose role may not read the wall's figures (e.g. an operator's). */
  | 'forbidden';

/** The refusal a WebSocket close means, if any (others are outages and end in a reconnection). */
export function refusalOfClose(code: number, hasToken: boolean): Refusal | null {
  switch (code) {
    case CloseCode.Forbidden: // anonymous, unknown, revoked or expired at connection_init
    case CloseCode.Unauthorized:
      return hasToken ? 'unknown' : 'no-token';
    case CloseCode.TokenRevoked:
      return 'revoked';
    case CloseCode.TokenExpired:
      return 'expired';
    default:
      return null;
  }
}

/** The refusal a GraphQL error code means, if any. */
export function refusalOfError(code: string, hasToken: boolean): Refusal | null {
  if (code === ErrorCode.Unauthenticated) return hasToken ? 'unknown' : 'no-token';
  if (code === ErrorCode.Forbidden || code === ErrorCode.PersistedQueryOnly) return 'forbidden';
  return null;
}

/**
 * The screen's token: taken from ?token= (and removed from the address) or from storage; a token
 * from the address is stored only once the server accepted it (figures arrived with it), and a
 * stored token the server refuses as unknown, revoked or expired is removed. A token refused for
 * its role is not stored either, but one already stored stays: the report page shares it.
 */
export class WallToken {
  private readonly candidate: string | null;
  private readonly fromUrl: boolean;
  private stored = false;

  constructor(private readonly env: TokenEnvironment) {
    const fromUrl = removeTokenFromUrl(env);
    this.fromUrl = fromUrl !== null;
    this.candidate = fromUrl ?? readToken(env.storage);
  }

  /** The token sent with every connection and request. */
  get(): string | null {
    return this.candidate;
  }

  /** Figures arrived with the token. */
  accepted(): void {
    if (this.stored || !this.candidate || !this.fromUrl) return;
    this.stored = true;
    storeToken(this.env.storage, this.candidate);
  }

  /** The server refused the token (at once, or later: revoked, expired). */
  refused(why: Refusal): void {
    if (!this.candidate || why === 'forbidden') return;
    if (readToken(this.env.storage) === this.candidate) storeToken(this.env.storage, null);
  }
}
