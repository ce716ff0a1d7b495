import { MAX_PAGE_SIZE } from './builder.ts';
import { invalidArgument } from './errors.ts';

/** Refuses page sizes over the cap instead of silently clamping them. */
export interface PageArgs {
  first?: number | null;
  last?: number | null;
}

export function checkPageSize(args: PageArgs): void {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value == null) continue;
    if (value < 0) throw invalidArgument(name, 'must not be negative');
    if (value > MAX_PAGE_SIZE) throw invalidArgument(name, `at most ${MAX_PAGE_SIZE} items per page; got ${value}`);
  }
}
