import type { Context } from '@fangkong/schema';
import type { AuthFailure } from '../auth/authentication.ts';
import { type DocumentNode, type ExecutionResult, GraphQLError, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Server-side context: what the schema's Context has, plus why authentication failed. */
export type ServerContext = Context & {
  authFailure?: AuthFailure;
  /** Fields refused during this operation, by name, with how often (plugins/use-denial-audit.ts). */
  denied?: Map<string, number>;
};

/** What a guard sees of an operation before it executes or subscribes. */
export interface Operation {
  schema: GraphQLSchema;
  document: DocumentNode;
  variables: Record<string, unknown>;
  ctx: ServerContext;
}

/** A refusal of the whole operation, with its code and HTTP status. */
export const refuse = (message: string, code: string, status: number, headers?: Record<string, string>): ExecutionResult => ({
  errors: [new GraphQLError(message, { extensions: { code, http: headers ? { status, headers } : { status } } })],
});

/**
 * A check run before every operation executes or subscribes, on every transport (HTTP, SSE and
 * WebSocket go through the same envelop hooks). A refusal stops the operation and the guards after
 * it: list them in the order they should speak.
 */
export function useGuard(check: (operation: Operation) => ExecutionResult | null | Promise<ExecutionResult | null>): Plugin {
  const run = async (
    args: { schema: GraphQLSchema; document: DocumentNode; variableValues?: Record<string, unknown> | null; contextValue: unknown },
    stop: (result: ExecutionResult) => void,
  ) => {
    const refusal = await check({ schema: args.schema, document: args.document, variables: args.variableValues ?? {}, ctx: args.contextValue as ServerContext });
    if (refusal) stop(refusal);
  };
  return {
    onExecute: ({ args, setResultAndStopExecution }) => run(args, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => run(args, setResultAndStopExecution),
  };
}
