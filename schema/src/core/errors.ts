import { GraphQLError } from 'graphql';

/** Codes a client can switch on; each expected failure carries one in `extensions.code`. */
export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'UNAUTHENTICATED' | 'FORBIDDEN';

/** An expected failure with a clear message; shown to the client as is. */
export function userError(message: string, code: ErrorCode = 'BAD_USER_INPUT', extensions: Record<string, unknown> = {}): GraphQLError {
  const http = code === 'UNAUTHENTICATED' ? { http: { status: 401 } } : {};
  return new GraphQLError(message, { extensions: { code, ...extensions, ...http } });
}

/** A bad argument, naming it. */
export function invalidArgument(argument: string, reason: string): GraphQLError {
  return userError(`${argument}: ${reason}`, 'BAD_USER_INPUT', { argument });
}
