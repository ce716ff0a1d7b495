import { describe, expect, it } from 'vitest';
import { authenticationRefusal, requestAuthenticator } from './authentication.ts';
import type { TokenCheck } from './tokens.ts';

/** A token store that knows one good and one revoked token, and counts how often it is asked. */
function countingStore() {
  const asked: string[] = [];
  return {
    asked,
    check: async (token: string): Promise<TokenCheck> => {
      asked.push(token);
      if (token === 'fk_good') return { viewer: { tokenId: 't1', role: 'ANALYST', scope: [], label: 'desk', compoundIds: [] } };
      return { viewer: null, failure: token === 'fk_revoked' ? 'revoked' : 'unknown' };
    },
  };
}

const request = (authorization?: string) => new Request('http://localhost/graphql', { headers: authorization ? { authorization } : {} });

describe('request authentication', () => {
  it('asks the token store once per request, however many ask', async () => {
    const store = countingStore();
    const authenticate = requestAuthenticator(store);
    const one = request('Bearer fk_good');
    const answers = await Promise.all([authenticate(one), authenticate(one), authenticate(one)]);
    expect(answers.map((a) => a.viewer?.tokenId)).toEqual(['t1', 't1', 't1']);
    expect(store.asked).toEqual(['fk_good']);
    await authenticate(request('Bearer fk_good'));
    expect(store.asked).toEqual(['fk_good', 'fk_good']);
  });

  it('tells no token, an unknown one and a revoked one apart, without asking the store about a missing one', async () => {
    const store = countingStore();
    const authenticate = requestAuthenticator(store);
    expect((await authenticate(request())).failure).toBe('missing');
    expect((await authenticate(request('Basic abc'))).failure).toBe('missing');
    expect((await authenticate(request('Bearer fk_nobody'))).failure).toBe('unknown');
    expect((await authenticate(request('Bearer fk_revoked'))).failure).toBe('revoked');
    expect(store.asked).toEqual(['fk_nobody', 'fk_revoked']);
  });

  it('refuses none or an unknown token with 401 and a revoked one with 403, all UNAUTHENTICATED', () => {
    expect(['missing', 'unknown', 'revoked'].map((f) => authenticationRefusal(f as 'missing').status)).toEqual([401, 401, 403]);
    expect(new Set(['missing', 'unknown', 'revoked'].map((f) => authenticationRefusal(f as 'missing').code))).toEqual(new Set(['UNAUTHENTICATED']));
  });
});
