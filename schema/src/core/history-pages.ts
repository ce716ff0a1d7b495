import { createContextCache } from '@pothos/core';
import { formatPrismaCursor, parsePrismaCursor } from '@pothos/plugin-prisma';
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { Prisma } from '@fangkong/prisma';
import DataLoader from 'dataloader';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './builder.ts';
import type { Context } from './context.ts';
import { invalidArgument } from './errors.ts';
import { checkPageSize } from './pagination.ts';
import { instant, textArray } from './sql.ts';

/**
 * A site's history: its report table and the column naming the site. Rows are listed newest period
 * first (ties by id), so a page is the latest reports unless the caller pages back.
 */
const HISTORIES = {
  CheckpointReport: 'checkpointId',
  OutputReport: 'lineId',
} as const;

export type History = keyof typeof HISTORIES;

export interface HistoryArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
  includeSuperseded?: boolean | null;
  period?: { from?: Date | null; to?: Date | null } | null;
}

/** Which rows of a history a page is cut from; the same for every site of a list. */
interface Filter {
  includeSuperseded: boolean;
  from: Date | null;
  to: Date | null;
}

/** Where in the order a page starts, and how many rows it takes (one more than it shows). */
interface Window {
  after: string | null;
  before: string | null;
  limit: number;
  inverted: boolean;
}

/** A page of one site's history; its `totalCount` is counted only when asked for. */
export interface HistoryConnection<Row> {
  edges: { cursor: string; node: Row }[];
  pageInfo: { startCursor: string | null; endCursor: string | null; hasPreviousPage: boolean; hasNextPage: boolean };
  totalCount: () => Promise<number>;
}

/**
 * A page of a site's reports, batched over every site of the enclosing list: one statement for the
 * pages of all of them, each cut by its own LIMIT inside a LATERAL join, so what a page costs follows
 * what it shows, not the history stored. (A Prisma relation connection under a list is one query for
 * all parents that fetches every row of every parent and cuts the page in memory: 200,000 rows for
 * `checkpoints(first: 8) { reports(first: 3) }` over three years of hourly reports.) Cursors are
 * plugin-prisma's `id` cursors, so pages handed out before keep working.
 */
export async function historyPage<Row extends object>(ctx: Context, history: History, siteId: string, args: HistoryArgs): Promise<HistoryConnection<Row>> {
  checkPageSize(args);
  const filter: Filter = { includeSuperseded: args.includeSuperseded ?? false, from: args.period?.from ?? null, to: args.period?.to ?? null };
  const page = await resolveCursorConnection(
    { args, defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE, toCursor: (row) => formatPrismaCursor(row as Record<string, unknown>, 'id') },
    ({ after, before, limit, inverted }) =>
      pageLoader<Row>(ctx, history, filter, { after: after ? cursorId(after) : null, before: before ? cursorId(before) : null, limit, inverted }).load(siteId),
  );
  // resolveCursorConnection always answers a page here: the loader never yields null.
  return { ...(page as Omit<HistoryConnection<Row>, 'totalCount'>), totalCount: () => countLoader(ctx, history, filter).load(siteId) };
}

function cursorId(cursor: string): string {
  const id = parsePrismaCursor(cursor);
  if (typeof id !== 'string') throw invalidArgument('after', `not a cursor of this list: ${cursor}`);
  return id;
}

const loaders = createContextCache(() => new Map<string, DataLoader<string, unknown>>());

function loaderFor<T>(ctx: Context, key: string, load: (siteIds: readonly string[]) => Promise<T[]>): DataLoader<string, T> {
  const cache = loaders(ctx);
  let loader = cache.get(key) as DataLoader<string, T> | undefined;
  if (!loader) {
    // Batched, never memoised: a subscription keeps its context for hours, and a count or page it
    // read at the snapshot must be read again at the next update.
    loader = new DataLoader<string, T>(load, { cache: false });
    cache.set(key, loader as DataLoader<string, unknown>);
  }
  return loader;
}

function pageLoader<Row>(ctx: Context, history: History, filter: Filter, window: Window): DataLoader<string, Row[]> {
  return loaderFor(ctx, `page|${history}|${JSON.stringify([filter, window])}`, async (siteIds) => {
    const site = HISTORIES[history];
    const table = Prisma.raw(`"${history}"`);
    const siteColumn = Prisma.raw(`"${site}"`);
    const backwards = window.inverted;
    const direction = Prisma.raw(backwards ? 'ASC' : 'DESC');
    // The cursor row's own position, compared as (periodStart, id); the extra bound on periodStart
    // alone lets the (site, periodStart) index start the scan there.
    const from = (id: string, newer: boolean) => {
      const cmp = Prisma.raw(newer ? '>' : '<');
      const cmpOrEqual = Prisma.raw(newer ? '>=' : '<=');
      return Prisma.sql`AND h."periodStart" ${cmpOrEqual} (SELECT c."periodStart" FROM ${table} c WHERE c.id = ${id})
        AND (h."periodStart", h.id) ${cmp} (SELECT c."periodStart", c.id FROM ${table} c WHERE c.id = ${id})`;
    };
    const rows = await ctx.prisma.$queryRaw<(Row & Record<string, unknown>)[]>`
      SELECT h.*
      FROM unnest(${textArray([...new Set(siteIds)])}) AS s(id)
      CROSS JOIN LATERAL (
        SELECT h.* FROM ${table} h
        WHERE h.${siteColumn} = s.id
          ${filter.includeSuperseded ? Prisma.empty : Prisma.sql`AND h."supersededAt" IS NULL`}
          ${filter.from ? Prisma.sql`AND h."periodStart" >= ${instant(filter.from)}` : Prisma.empty}
          ${filter.to ? Prisma.sql`AND h."periodStart" < ${instant(filter.to)}` : Prisma.empty}
          ${window.after ? from(window.after, false) : Prisma.empty}
          ${window.before ? from(window.before, true) : Prisma.empty}
        ORDER BY h."periodStart" ${direction}, h.id ${direction}
        LIMIT ${window.limit}
      ) h`;
    const bySite = new Map<string, Row[]>(siteIds.map((id) => [id, []]));
    for (const row of rows) bySite.get(row[site] as string)!.push(row);
    return siteIds.map((id) => bySite.get(id)!);
  });
}

function countLoader(ctx: Context, history: History, filter: Filter): DataLoader<string, number> {
  return loaderFor(ctx, `count|${history}|${JSON.stringify(filter)}`, async (siteIds) => {
    const siteColumn = Prisma.raw(`"${HISTORIES[history]}"`);
    const rows = await ctx.prisma.$queryRaw<{ site: string; n: number }[]>`
      SELECT h.${siteColumn} AS site, COUNT(*)::int AS n
      FROM ${Prisma.raw(`"${history}"`)} h
      WHERE h.${siteColumn} = ANY(${textArray([...new Set(siteIds)])})
        ${filter.includeSuperseded ? Prisma.empty : Prisma.sql`AND h."supersededAt" IS NULL`}
        ${filter.from ? Prisma.sql`AND h."periodStart" >= ${instant(filter.from)}` : Prisma.empty}
        ${filter.to ? Prisma.sql`AND h."periodStart" < ${instant(filter.to)}` : Prisma.empty}
      GROUP BY 1`;
    const bySite = new Map(rows.map((row) => [row.site, Number(row.n)]));
    return siteIds.map((id) => bySite.get(id) ?? 0);
  });
}
