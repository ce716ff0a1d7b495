import { isDatabaseUnavailable } from '@fangkong/prisma';
import type { Viewer } from '@fangkong/schema';
import { ErrorCode } from '@fangkong/zone';
import { databaseUnavailableAnswer } from '../plugins/database-unavailable.ts';
import { bearer, type TokenStore } from './tokens.ts';

/**
 * Why a caller is nobody: no token, one that was never issued, one that was revoked, one past its
 * expiry, or one that cannot be checked now because the database does not answer.
 */
export type AuthFailure = 'missing' | 'unknown' | 'revoked' | 'expired' | 'unavailable';

/** Who is calling, or why no one is. */
export type Authentication = { viewer: Viewer; failure?: undefined } | { viewer: null; failure: AuthFailure };

/** The viewer a bearer token (or its absence) stands for. */
export async function authenticateToken(tokens: Pick<TokenStore, 'check'>, token: string | null): Promise<Authentication> {
  if (!token) return { viewer: null, failure: 'missing' };
  try {
    return await tokens.check(token);
  } catch (error) {
    // Nobody can be authenticated during an outage: 503, so the caller retries (the context must not throw either).
    if (isDatabaseUnavailable(error)) return { viewer: null, failure: 'unavailable' };
    throw error;
  }
}

/** Authenticates an HTTP request by its Authorization header. */
export type RequestAuthenticator = (request: Request) => Promise<Authentication>;

/**
 * One authentication per HTTP request, whoever asks first: the check before parsing on /graphql,
 * graphql-sse's authenticate on /graphql/stream, then the context factory, all share its answer.
 */
export function requestAuthenticator(tokens: Pick<TokenStore, 'check'>): RequestAuthenticator {
  const answers = new WeakMap<Request, Promise<Authentication>>();
  return (request) => {
    let answer = answers.get(request);
    if (!answer) {
      answer = authenticateToken(tokens, bearer(request.headers.get('authorization')));
      answers.set(request, answer);
    }
    return answer;
  };
}

/** What a caller without a usable token is told: 401 for none or an unknown one, 403 for a revoked or expired one, 503 when it cannot be checked. */
export function authenticationRefusal(failure: AuthFailure): { message: string; code: ErrorCode; status: number; headers?: Record<string, string> } {
  switch (failure) {
    case 'unavailable':
      return databaseUnavailableAnswer();
    case 'missing':
      return {
        message: 'authentication required: send "Authorization: Bearer <token>" (WebSocket: connection_init payload { "authorization": "Bearer <token>" })',
        code: ErrorCode.Unauthenticated,
        status: 401,
      };
    case 'unknown':
      return { message: 'the token is unknown', code: ErrorCode.Unauthenticated, status: 401 };
    case 'revoked':
      return { message: 'the token was revoked; ask for a new one', code: ErrorCode.Unauthenticated, status: 403 };
    // Refused like a revoked token: the credentials were good and are no longer.
    case 'expired':
      return { message: 'the token expired; ask for a new one', code: ErrorCode.Unauthenticated, status: 403 };
  }
}
