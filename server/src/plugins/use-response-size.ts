import { READ_BUDGET } from '@fangkong/schema';
import { costRefusal } from './query-cost.ts';
import { useGuard } from './guard.ts';

/**
 * Refuses, before it runs, an operation estimated to produce more than its caller's role may ask for
 * in one operation (READ_BUDGET, schema/src/core/access.ts; the estimate: query-cost.ts).
 */
export const useResponseSize = () =>
  useGuard(({ schema, document, variables, ctx }) => {
    // Anonymous operations are refused before this guard; count them against the smallest budget anyway.
    const role = ctx.viewer?.role;
    const budget = role ? { fields: READ_BUDGET[role], of: `${role.toLowerCase()} tokens` } : { fields: Math.min(...Object.values(READ_BUDGET)), of: 'anonymous callers' };
    return costRefusal(schema, document, variables, budget);
  });
