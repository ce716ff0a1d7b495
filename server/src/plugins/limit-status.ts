import { ErrorCode } from '@fangkong/zone';
import type { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Errors of GraphQL Armor's limits, as its onReject hands them over. */
const refusals = new WeakSet<GraphQLError>();

const answer400 = (error: GraphQLError) => Object.assign(error.extensions, { code: ErrorCode.BadUserInput, http: { status: 400 } });

/**
 * GraphQL Armor's `onReject` for its limits (depth, aliases, tokens, directives): the refusal answers
 * 400 BAD_USER_INPUT like every other limit (response size and series cost, list length), whichever
 * response type the client accepts.
 */
export function limitStatus(_context: unknown, error: GraphQLError): void {
  refusals.add(error);
  answer400(error);
}

/**
 * Armor's token limit throws while parsing, and Yoga marks every parse error a spec error, which
 * answers a client accepting application/json with 200: a limit's refusal is made a plain 400 again
 * just before the response is written.
 */
export function useLimitStatus(): Plugin {
  return {
    onResultProcess({ result }) {
      for (const one of Array.isArray(result) ? result : [result]) {
        const errors = 'errors' in one ? (one.errors as readonly GraphQLError[] | undefined) : undefined;
        for (const error of errors ?? []) if (refusals.has(error)) answer400(error);
      }
    },
  };
}
