import { GraphQLError } from 'graphql';

/** The same error with an `extensions.code` (and optionally another message). */
export function withCode(error: GraphQLError, code: string, message = error.message): GraphQLError {
  return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: { ...error.extensions, code } });
}
