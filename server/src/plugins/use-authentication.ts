import { authenticationRefusal } from '../auth/authentication.ts';
import { refuse, useGuard } from './guard.ts';

/** Every operation needs a valid token: none or an unknown one is refused with 401, a revoked one with 403. */
export const useAuthentication = () =>
  useGuard(({ ctx }) => {
    if (ctx.viewer) return null;
    const { message, code, status } = authenticationRefusal(ctx.authFailure ?? 'missing');
    return refuse(message, code, status);
  });
