import { ErrorCode } from '@fangkong/zone';
import { GraphQLError } from 'graphql';

/** An expected failure with a clear message; shown to the client as is. */
export function userError(message: string, code: ErrorCode = ErrorCode.BadUserInput, extensions: Record<string, unknown> = {}): GraphQLError {
  const http = code === ErrorCode.Unauthenticated ? { http: { status: 401 } } : {};
  return new GraphQLError(message, { extensions: { code, ...extensions, ...http } });
}

/** A bad argument, naming it. */
export function invalidArgument(argument: string, reason: string): GraphQLError {
  return userError(`${argument}: ${reason}`, ErrorCode.BadUserInput, { argument });
}
