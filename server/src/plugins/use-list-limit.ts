import { ErrorCode } from '@fangkong/zone';
import { type DocumentNode, visit } from 'graphql';
import { refuse, useGuard } from './guard.ts';

/** The most items any list in a request may hold: as many as the largest page (`nodes(ids:)`, `checkpointIds:`, …). */
export const MAX_LIST_ITEMS = 500;

function longestLiteralList(document: DocumentNode): number {
  let longest = 0;
  visit(document, {
    ListValue(node) {
      longest = Math.max(longest, node.values.length);
    },
  });
  return longest;
}

function longestArray(value: unknown, depth = 0): number {
  if (depth > 20 || value === null || typeof value !== 'object') return 0;
  const items = Array.isArray(value) ? value : Object.values(value);
  let longest = Array.isArray(value) ? value.length : 0;
  for (const item of items) longest = Math.max(longest, longestArray(item, depth + 1));
  return longest;
}

/**
 * Refuses, before it runs, a request with a list longer than MAX_LIST_ITEMS, in the document or in
 * its variables: one `nodes(ids:)` with thousands of ids was thousands of lookups (and, where they
 * were refused, thousands of denials to record).
 */
export const useListLimit = () =>
  useGuard(({ document, variables }) => {
    const longest = Math.max(longestLiteralList(document), longestArray(variables));
    if (longest <= MAX_LIST_ITEMS) return null;
    return refuse(`a list in this request holds ${longest} items; at most ${MAX_LIST_ITEMS} are allowed — split it into several requests`, ErrorCode.BadUserInput, 400);
  });

