import type { Context } from '@fangkong/schema';
import { type DocumentNode, GraphQLError, type GraphQLSchema, visit } from 'graphql';
import { costRefusal } from '../query-cost.ts';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import type { PersistedOperations } from './persisted-operations.ts';
import type { RateLimiter } from './rate-limit.ts';

/** Server-side context: what the schema's Context has, plus why authentication failed. */
export type ServerContext = Context & { authFailure?: 'missing' | 'invalid' };

const INTROSPECTION_ROLES = new Set(['ADMIN', 'COMMANDER', 'ANALYST']);

function usesIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
}

const refuse = (message: string, code: string, status: number) => ({ errors: [new GraphQLError(message, { extensions: { code, http: { status } } })] });

export interface AccessGuardOptions {
  persisted: PersistedOperations;
  rateLimiter: RateLimiter;
  logger: Logger;
  /** Records a denial in the audit trail. */
  audit(ctx: ServerContext, action: string, detail: string): void;
}

/**
 * Checks every operation on every transport (HTTP, SSE and WebSocket run through the same envelop
 * hooks) before it executes or subscribes: a valid token, introspection only for analysts,
 * commanders and admins, partners only with persisted operations, a per-token rate limit, and a
 * bound on the estimated size of the response.
 */
export function useAccessGuard(options: AccessGuardOptions): Plugin {
  const check = async (args: { schema: GraphQLSchema; document: DocumentNode; variableValues?: Record<string, unknown> | null }, ctx: ServerContext) => {
    const { document } = args;
    if (!ctx.viewer) {
      const message =
        ctx.authFailure === 'invalid'
          ? 'the token is unknown or revoked'
          : 'authentication required: send "Authorization: Bearer <token>" (WebSocket: connection_init payload { "authorization": "Bearer <token>" })';
      return refuse(message, 'UNAUTHENTICATED', 401);
    }
    if (!(await options.rateLimiter.take(ctx.viewer.tokenId))) {
      options.logger.warn('rate limited', { token: ctx.viewer.label });
      return refuse('too many requests for this token; slow down and retry in a minute', 'RATE_LIMITED', 429);
    }
    if (ctx.viewer.role === 'PARTNER' && !options.persisted.isPersisted(document)) {
      options.audit(ctx, 'access:denied', 'partner sent an operation outside the persisted manifest');
      return refuse('partner tokens may run only the persisted operations of the published manifest (send its documentId)', 'PERSISTED_QUERY_ONLY', 403);
    }
    if (usesIntrospection(document) && !INTROSPECTION_ROLES.has(ctx.viewer.role)) {
      options.audit(ctx, 'access:denied', 'introspection');
      return refuse('introspection is available to analyst, commander and admin tokens', 'FORBIDDEN', 403);
    }
    return costRefusal(args.schema, document, args.variableValues ?? undefined);
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const refusal = await check(args, args.contextValue as unknown as ServerContext);
      if (refusal) setResultAndStopExecution(refusal);
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const refusal = await check(args, args.contextValue as unknown as ServerContext);
      if (refusal) setResultAndStopExecution(refusal);
    },
  };
}

