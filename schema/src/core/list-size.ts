/**
 * How many items a list field returns, from its arguments, for the server's estimate of what an
 * operation produces before it runs (server/src/plugins/query-cost.ts). Lists without it are guessed;
 * a list whose length the caller chooses (a chart's buckets) must say it, or one request could ask
 * for far more than any budget allows. The arguments come coerced, as resolvers see them.
 */
export type ListSize = (args: Record<string, unknown>) => number;

/** The field extension carrying a ListSize. */
export const LIST_SIZE = 'listSize';

/** Field `extensions` declaring the list's size. */
export const listSize = (size: ListSize) => ({ [LIST_SIZE]: size });
