import { createContextCache } from '@pothos/core';
import { formatPrismaCursor, parsePrismaCursor } from '@pothos/plugin-prisma';
import { resolveCursorConnection } from '@pothos/plugin-relay';
import { Prisma } from '@fangkong/prisma';
import DataLoader from 'dataloader';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './builder.ts';
import type { Context } from './context.ts';
import { invalidArgument } from './errors.ts';
import { checkPageSize } from './pagination.ts';
import { textArray } from './sql.ts';

/**
 * Rows of one table listed under a parent row (a site's reports, an area's checkpoints): the table,
 * the column naming the parent, and the order of a page, whose last column is the unique `id`.
 */
export interface Listing {
  table: string;
  parent: string;
  order: readonly string[];
  descending: boolean;
}

/** Which rows of a listing a page is cut from; the same for every parent of a list. */
export interface RowFilter {
  /** Tells filters apart in the loaders' keys. */
  key: string;
  /** Conditions on the listed rows, aliased `h`, each starting with AND; Prisma.empty for none. */
  sql: Prisma.Sql;
}

export const NO_FILTER: RowFilter = { key: '', sql: Prisma.empty };

export interface PageArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

/** Where in the order a page starts, and how many rows it takes (one more than it shows). */
interface Window {
  after: string | null;
  before: string | null;
  limit: number;
  inverted: boolean;
}

/** A page under one parent; its `totalCount` is counted only when asked for (in the page's statement when the operation asks it). */
export interface NestedConnection<Row> {
  edges: { cursor: string; node: Row }[];
  pageInfo: { startCursor: string | null; endCursor: string | null; hasPreviousPage: boolean; hasNextPage: boolean };
  totalCount: () => Promise<number>;
}

/**
 * A page of the rows under one parent, batched over every parent of the enclosing list: one
 * statement for the pages of all of them, each cut by its own LIMIT (first + 1) inside a LATERAL
 * join, so what a page costs follows what it shows, not what is stored. (A Prisma relation
 * connection under a list is one query for all parents that fetches every row of every parent and
 * cuts the pages in memory.) Cursors are plugin-prisma's `id` cursors, so pages handed out by the
 * relation connections these replace keep working.
 */
export async function nestedPage<Row extends object>(
  ctx: Context,
  listing: Listing,
  filter: RowFilter,
  parentId: string,
  args: PageArgs,
  /** The operation asks for `totalCount`: it is counted in the page's own statement, not in one more. */
  withCount = false,
): Promise<NestedConnection<Row>> {
  checkPageSize(args);
  let counted: number | null = null;
  const page = await resolveCursorConnection(
    { args, defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE, toCursor: (row) => formatPrismaCursor(row as Record<string, unknown>, 'id') },
    async ({ after, before, limit, inverted }) => {
      const window = { after: after ? cursorId(after) : null, before: before ? cursorId(before) : null, limit, inverted };
      const { rows, total } = await pageLoader<Row>(ctx, listing, filter, window, withCount).load(parentId);
      counted = total;
      return rows;
    },
  );
  const total = counted;
  // resolveCursorConnection always answers a page here: the loader never yields null.
  return {
    ...(page as Omit<NestedConnection<Row>, 'totalCount'>),
    totalCount: () => (total === null ? countLoader(ctx, listing, filter).load(parentId) : Promise.resolve(total)),
  };
}

function cursorId(cursor: string): string {
  const id = parsePrismaCursor(cursor);
  if (typeof id !== 'string') throw invalidArgument('after', `not a cursor of this list: ${cursor}`);
  return id;
}

const loaders = createContextCache(() => new Map<string, DataLoader<string, unknown>>());

function loaderFor<T>(ctx: Context, key: string, load: (parentIds: readonly string[]) => Promise<T[]>): DataLoader<string, T> {
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

const column = (alias: string, name: string) => Prisma.raw(`${alias}."${name}"`);
const columns = (alias: string, names: readonly string[]) => Prisma.join(names.map((name) => column(alias, name)), ', ');

/** One parent's page, and how many rows the parent holds in all when they were counted. */
interface PageRows<Row> {
  rows: Row[];
  total: number | null;
}

function pageLoader<Row>(ctx: Context, listing: Listing, filter: RowFilter, window: Window, withCount: boolean): DataLoader<string, PageRows<Row>> {
  return loaderFor(ctx, `page|${listing.table}|${listing.parent}|${filter.key}|${JSON.stringify(window)}|${withCount}`, async (parentIds) => {
    const table = Prisma.raw(`"${listing.table}"`);
    const parent = column('h', listing.parent);
    // Rows come in the listing's order, or against it when paging back (resolveCursorConnection turns them round).
    const descending = listing.descending !== window.inverted;
    const direction = Prisma.raw(descending ? 'DESC' : 'ASC');
    const orderBy = Prisma.join(listing.order.map((name) => Prisma.sql`${column('h', name)} ${direction}`), ', ');
    // The cursor row's own position, compared column by column; with more than one column the extra
    // bound on the first alone lets the (parent, first column) index start the scan there.
    const from = (id: string, later: boolean) => {
      const ahead = later !== listing.descending;
      const cmp = Prisma.raw(ahead ? '>' : '<');
      const lead = listing.order[0]!;
      const leading =
        listing.order.length > 1
          ? Prisma.sql`AND ${column('h', lead)} ${Prisma.raw(ahead ? '>=' : '<=')} (SELECT ${column('c', lead)} FROM ${table} c WHERE c.id = ${id})`
          : Prisma.empty;
      return Prisma.sql`${leading} AND (${columns('h', listing.order)}) ${cmp} (SELECT ${columns('c', listing.order)} FROM ${table} c WHERE c.id = ${id})`;
    };
    const pageOf = Prisma.sql`
      SELECT h.* FROM ${table} h
      WHERE ${parent} = p.id
        ${filter.sql}
        ${window.after ? from(window.after, true) : Prisma.empty}
        ${window.before ? from(window.before, false) : Prisma.empty}
      ORDER BY ${orderBy}
      LIMIT ${window.limit}`;
    const parents = textArray([...new Set(parentIds)]);
    const byParent = new Map<string, PageRows<Row>>(parentIds.map((id) => [id, { rows: [], total: null }]));
    if (!withCount) {
      const rows = await ctx.prisma.$queryRaw<(Row & Record<string, unknown>)[]>`
        SELECT h.* FROM unnest(${parents}) AS p(id) CROSS JOIN LATERAL (${pageOf}) h`;
      for (const row of rows) byParent.get(row[listing.parent] as string)!.rows.push(row);
      return parentIds.map((id) => byParent.get(id)!);
    }
    // Each row carries its parent's count. A parent holding no rows answers none (its count is 0); one
    // whose page is empty though it holds rows (a cursor past its end) answers one row of NULLs.
    for (const page of byParent.values()) page.total = 0;
    const rows = await ctx.prisma.$queryRaw<({ __parent: string; __total: number } & Record<string, unknown>)[]>`
      SELECT p.id AS "__parent", n.total AS "__total", h.*
      FROM unnest(${parents}) AS p(id)
      CROSS JOIN LATERAL (SELECT COUNT(*)::int AS total FROM ${table} h WHERE ${parent} = p.id ${filter.sql}) n
      LEFT JOIN LATERAL (${pageOf}) h ON true
      WHERE n.total > 0`;
    for (const { __parent, __total, ...row } of rows) {
      const page = byParent.get(__parent)!;
      page.total = Number(__total);
      if (row.id !== null) page.rows.push(row as Row);
    }
    return parentIds.map((id) => byParent.get(id)!);
  });
}

function countLoader(ctx: Context, listing: Listing, filter: RowFilter): DataLoader<string, number> {
  return loaderFor(ctx, `count|${listing.table}|${listing.parent}|${filter.key}`, async (parentIds) => {
    const parent = column('h', listing.parent);
    const rows = await ctx.prisma.$queryRaw<{ parent: string; n: number }[]>`
      SELECT ${parent} AS parent, COUNT(*)::int AS n
      FROM ${Prisma.raw(`"${listing.table}"`)} h
      WHERE ${parent} = ANY(${textArray([...new Set(parentIds)])})
        ${filter.sql}
      GROUP BY 1`;
    const byParent = new Map(rows.map((row) => [row.parent, Number(row.n)]));
    return parentIds.map((id) => byParent.get(id) ?? 0);
  });
}
