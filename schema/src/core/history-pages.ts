import { Prisma } from '@fangkong/prisma';
import type { Context } from './context.ts';
import { type Listing, type NestedConnection, nestedPage, type PageArgs, type RowFilter } from './nested-pages.ts';
import { instant } from './sql.ts';

/**
 * A site's history: its report table and the column naming the site. Rows are listed newest period
 * first (ties by id), so a page is the latest reports unless the caller pages back.
 */
const HISTORIES = {
  CheckpointReport: { table: 'CheckpointReport', parent: 'checkpointId', order: ['periodStart', 'id'], descending: true },
  OutputReport: { table: 'OutputReport', parent: 'lineId', order: ['periodStart', 'id'], descending: true },
} as const satisfies Record<string, Listing>;

export type History = keyof typeof HISTORIES;

export interface HistoryArgs extends PageArgs {
  includeSuperseded?: boolean | null;
  period?: { from?: Date | null; to?: Date | null } | null;
}

/** A page of one site's history; its `totalCount` is counted only when asked for. */
export type HistoryConnection<Row> = NestedConnection<Row>;

/**
 * A page of a site's reports, batched over every site of the enclosing list: one statement for the
 * pages of all of them, each cut by its own LIMIT inside a LATERAL join (core/nested-pages.ts), so
 * what a page costs follows what it shows, not the history stored. Without `includeSuperseded`,
 * `totalCount` counts the site's current reports from a partial index of them.
 */
export function historyPage<Row extends object>(ctx: Context, history: History, siteId: string, args: HistoryArgs, withCount = false): Promise<HistoryConnection<Row>> {
  return nestedPage<Row>(ctx, HISTORIES[history], historyFilter(args), siteId, args, withCount);
}

function historyFilter(args: HistoryArgs): RowFilter {
  const includeSuperseded = args.includeSuperseded ?? false;
  const from = args.period?.from ?? null;
  const to = args.period?.to ?? null;
  return {
    key: JSON.stringify([includeSuperseded, from, to]),
    sql: Prisma.sql`
      ${includeSuperseded ? Prisma.empty : Prisma.sql`AND h."supersededAt" IS NULL`}
      ${from ? Prisma.sql`AND h."periodStart" >= ${instant(from)}` : Prisma.empty}
      ${to ? Prisma.sql`AND h."periodStart" < ${instant(to)}` : Prisma.empty}`,
  };
}
