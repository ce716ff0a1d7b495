import { PothosValidationError } from '@pothos/core';
import type { PrismaClient } from '@fangkong/prisma';
import { type Context, schema } from '@fangkong/schema';
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
  traceSql?: boolean;
}

export type FangkongYoga = YogaServerInstance<Record<string, unknown>, Context>;

/** The GraphQL endpoint: one context for every transport, expected errors typed, the rest masked. */
export function createFangkongYoga(options: YogaOptions): FangkongYoga {
  const plugins: Plugin[] = [useErrorCodes()];
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
      onCommitted: (event) => options.logger.debug('event committed', { seq: String(event.seq), type: event.type, subject: event.subjectId }),
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
        const original = error instanceof GraphQLError ? error.originalError : error;
        // Pothos rejects malformed global IDs and cursors with its own error type: that is bad input.
        if (original instanceof PothosValidationError) {
          return new GraphQLError(original.message, { extensions: { code: 'BAD_USER_INPUT' } });
        }
        if (original instanceof GraphQLError) return original;
        options.logger.error('unexpected error', { error: original instanceof Error ? original.stack : String(original) });
        return defaultMaskError(error, message, isDev);
      },
    },
    plugins,
  });
}

/**
 * Every error a client sees carries `extensions.code`: graphql-js's parse and validation errors and
 * variable coercion errors (unknown enum values, wrong types) come without one.
 */
function useErrorCodes(): Plugin {
  const withCode = (errors: readonly GraphQLError[], code: string) =>
    errors.map((e) => (e.extensions?.code ? e : new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, originalError: e.originalError, extensions: { ...e.extensions, code } })));
  return {
    onValidate() {
      return ({ result, setResult }) => {
        if (result.length) setResult(withCode(result as GraphQLError[], 'GRAPHQL_VALIDATION_FAILED'));
      };
    },
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result || !result.errors?.length) return;
          // Errors before any resolver ran (data absent) are variable coercion failures: bad input.
          const code = result.data === undefined ? 'BAD_USER_INPUT' : 'INTERNAL_SERVER_ERROR';
          setResult({ ...result, errors: withCode(result.errors, code) });
        },
      };
    },
  };
}
