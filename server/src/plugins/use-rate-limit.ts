import { ErrorCode } from '@fangkong/zone';
import type { RateLimiter } from '../auth/rate-limit.ts';
import type { Logger } from '../logger.ts';
import { refuse, useGuard } from './guard.ts';

/** A per-token budget of operations; over it, 429 until the window turns. */
export const useRateLimit = (limiter: RateLimiter, logger: Logger, onRefused: () => void = () => {}) =>
  useGuard(async ({ ctx }) => {
    if (!ctx.viewer || (await limiter.take(ctx.viewer.tokenId))) return null;
    onRefused();
    logger.warn('rate limited', { token: ctx.viewer.label });
    return refuse('too many requests for this token; slow down and retry in a minute', ErrorCode.RateLimited, 429);
  });
