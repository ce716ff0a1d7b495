import { PothosValidationError } from '@pothos/core';
import type { PrismaClient } from '@fangkong/prisma';
import { type CommittedEvent, type Context, type LiveFeed, schema } from '@fangkong/schema';
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import { GraphQLError } from 'graphql';
import { createYoga, maskError as defaultMaskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { graphiqlDefaultQuery } from './graphiql.ts';
import type { Logger } from './logger.ts';
import { useSqlStatementCount } from './sql-statement-count.ts';

export interface YogaOptions {
  prisma: PrismaClient;
  timeZone: string;
  now: () => Date;
  logger: Logger;
  live: LiveFeed;
  /** Told after every committed write (the live layer publishes it). */
  onCommitted: (event: CommittedEvent) => void;
  traceSql?: boolean;
}

export type FangkongYoga = YogaServerInstance<Record<string, unknown>, Context>;

/** The GraphQL endpoint: one context for every transport, expected errors typed, the rest masked. */
export function createFangkongYoga(options: YogaOptions): FangkongYoga {
  // GraphQL over SSE: Yoga's own on /graphql (Accept: text/event-stream), and graphql-sse's
  // single-connection mode on /graphql/stream.
  const plugins: Plugin[] = [useValidationErrorCode(), useGraphQLSSE({ endpoint: '/graphql/stream' })];
  if (options.traceSql) plugins.push(useSqlStatementCount());
  return createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Until access control lands every caller is "anonymous"; the token's label will take its place.
    context: (): Context => ({
      prisma: options.prisma,
      timeZone: options.timeZone,
      now: options.now,
      actor: 'anonymous',
      onCommitted: options.onCommitted,
      live: options.live,
    }),
    graphiql: { title: 'Fangkong 防控 — GraphiQL', defaultQuery: graphiqlDefaultQuery },
    logging: {
      debug: (...args) => options.logger.debug(String(args[0]), { args: args.slice(1).map(String) }),
      info: (...args) => options.logger.info(String(args[0])),
      warn: (...args) => options.logger.warn(String(args[0])),
      error: (...args) => options.logger.error(String(args[0]), { detail: args.slice(1).map((a) => (a instanceof Error ? a.stack : String(a))) }),
    },
    maskedErrors: {
      maskError(error, message, isDev) {
        if (!(error instanceof GraphQLError)) return defaultMaskError(error, message, isDev);
        const original = error.originalError;
        // Pothos rejects malformed global IDs and cursors with its own error type: that is bad input.
        if (original instanceof PothosValidationError) return withCode(error, 'BAD_USER_INPUT', original.message);
        // Our expected errors already carry a code; graphql-js's own (variable coercion: unknown enum
        // values, wrong types) do not, and are bad input.
        if (!original || original instanceof GraphQLError) return error.extensions?.code ? error : withCode(error, 'BAD_USER_INPUT');
        options.logger.error('unexpected error', { path: error.path?.join('.'), error: original.stack ?? String(original) });
        return defaultMaskError(error, message, isDev);
      },
    },
    plugins,
  });
}

function withCode(error: GraphQLError, code: string, message = error.message): GraphQLError {
  return new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: { ...error.extensions, code } });
}

/** Validation errors from graphql-js come without a code; give them the conventional one. */
function useValidationErrorCode(): Plugin {
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length) setResult((result as GraphQLError[]).map((e) => (e.extensions?.code ? e : withCode(e, 'GRAPHQL_VALIDATION_FAILED'))));
      };
    },
  };
}
