import { costRefusal } from './query-cost.ts';
import { useGuard } from './guard.ts';

/** Refuses, before it runs, an operation whose response is estimated too large (query-cost.ts). */
export const useResponseSize = () => useGuard(({ schema, document, variables }) => costRefusal(schema, document, variables));
