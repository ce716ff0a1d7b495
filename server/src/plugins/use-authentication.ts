import { ErrorCode } from '@fangkong/zone';
import { refuse, useGuard } from './guard.ts';

/** Every operation needs a valid token: none, or an unknown or revoked one, is refused with 401. */
export const useAuthentication = () =>
  useGuard(({ ctx }) => {
    if (ctx.viewer) return null;
    const message =
      ctx.authFailure === 'invalid'
        ? 'the token is unknown or revoked'
        : 'authentication required: send "Authorization: Bearer <token>" (WebSocket: connection_init payload { "authorization": "Bearer <token>" })';
    return refuse(message, ErrorCode.Unauthenticated, 401);
  });
