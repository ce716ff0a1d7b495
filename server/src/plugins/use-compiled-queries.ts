import { useGraphQlJit } from '@envelop/graphql-jit';
import { type DocumentNode, getOperationAST, GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Queries run compiled by graphql-jit, each document compiled once: the generic executor's per-field
 * work was a large part of a page's time. Mutations and subscriptions keep the standard executor.
 * graphql-jit reports variables it cannot coerce with errors of its own, whose `extensions` cannot be
 * written; they are made ordinary GraphQL errors, so the error mask codes them as it codes the
 * standard executor's (a caller's mistake, not logged as the server's).
 */
export function useCompiledQueries(): Plugin {
  const jit = useGraphQlJit({}, { enableIf: (args) => isQuery(args.document, args.operationName) }) as Plugin;
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(jit);
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result || !result.errors?.some(uncodable)) return;
          setResult({ ...result, errors: result.errors.map((error) => (uncodable(error) ? plain(error) : error)) });
        },
      };
    },
  };
}

function isQuery(document: DocumentNode, operationName?: string | null): boolean {
  return getOperationAST(document, operationName)?.operation === 'query';
}

const uncodable = (error: GraphQLError) => !error.extensions || !Object.isExtensible(error.extensions);

function plain(error: GraphQLError): GraphQLError {
  const copy = new GraphQLError(error.message, { path: error.path, originalError: error.originalError, extensions: { ...error.extensions } });
  if (error.locations) Object.assign(copy, { locations: error.locations });
  return copy;
}
