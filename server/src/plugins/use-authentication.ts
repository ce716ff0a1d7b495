import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { authenticationRefusal, type RequestAuthenticator } from '../auth/authentication.ts';
import { refuse, useGuard } from './guard.ts';

/**
 * Every operation needs a valid token: none or an unknown one is refused with 401, a revoked or expired one
 * with 403. Over HTTP and SSE on /graphql the token is checked before the request is even parsed,
 * so a caller without one learns nothing of the schema from validation errors (graphql-sse on
 * /graphql/stream checks it in its own authenticate hook, plugins/use-graphql-stream.ts); every
 * transport, WebSocket too, is checked again before an operation executes or subscribes.
 */
export function useAuthentication(authenticate: RequestAuthenticator): Plugin {
  return {
    async onRequestParse({ request }) {
      const { failure } = await authenticate(request);
      if (!failure) return;
      const { message, code, status, headers } = authenticationRefusal(failure);
      throw createGraphQLError(message, { extensions: { code, http: { status, headers } } });
    },
    ...useGuard(({ ctx }) => {
      if (ctx.viewer) return null;
      const { message, code, status, headers } = authenticationRefusal(ctx.authFailure ?? 'missing');
      return refuse(message, code, status, headers);
    }),
  };
}
