// Stock, defined once: every unit produced (current report versions) minus every unit allocated and
// not cancelled. The zone summary reads it per product up to a day's end; an allocation reads it for
// its product, now, under the product's lock.
import { type $Enums, Prisma } from '@fangkong/prisma';
import type { Tx } from '../core/changes.ts';
import { instant } from '../core/sql.ts';

export interface ProductRow {
  id: string;
  name: string;
  nameEn: string;
  category: $Enums.ProductCategory;
  unit: string;
  unitEn: string;
  safetyLevel: number;
}

export type StockRow = ProductRow & { produced: bigint; allocated: bigint };

/** Stock below the product's safety level (安全库存) is low; a level of 0 keeps none. The one definition of "low", for the wall and the STOCK_LOW alert rule. */
export function isBelowSafetyLevel(stock: number, safetyLevel: number): boolean {
  return safetyLevel > 0 && stock < safetyLevel;
}

/** Produced and allocated per product (all products, or one), counting what happened before `until` (or all). */
export function stockQuery(db: Pick<Tx, '$queryRaw'>, { until, productId }: { until?: Date; productId?: string }) {
  const before = (column: Prisma.Sql) => (until ? Prisma.sql`AND ${column} < ${instant(until)}` : Prisma.empty);
  return db.$queryRaw<StockRow[]>`
    SELECT p.id, p.name, p."nameEn", p.category, p.unit, p."unitEn", p."safetyLevel",
      COALESCE(made.total, 0)::bigint AS produced, COALESCE(sent.total, 0)::bigint AS allocated
    FROM "Product" p
    LEFT JOIN (
      SELECT l."productId", SUM(o.produced) AS total
      FROM "OutputReport" o JOIN "ProductionLine" l ON l.id = o."lineId"
      WHERE o."supersededAt" IS NULL ${before(Prisma.sql`o."periodStart"`)}
      GROUP BY l."productId"
    ) made ON made."productId" = p.id
    LEFT JOIN (
      SELECT a."productId", SUM(a.quantity) AS total
      FROM "Allocation" a
      WHERE a.status <> 'CANCELLED' ${before(Prisma.sql`a."plannedAt"`)}
      GROUP BY a."productId"
    ) sent ON sent."productId" = p.id
    ${productId ? Prisma.sql`WHERE p.id = ${productId}` : Prisma.empty}
    ORDER BY p.category, p.id`;
}

/** produced − allocated for one product, under a per-product lock held to commit so two allocations cannot both spend the same units. */
export async function lockedStock(tx: Tx, productId: string): Promise<number> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`stock:${productId}`}))`;
  const [row] = await stockQuery(tx, { productId });
  return row ? Number(row.produced - row.allocated) : 0;
}

export interface DayFlowRow {
  productId: string;
  produced: bigint;
  toCity: bigint;
  toZone: bigint;
}

/**
 * What came into and went out of stock per product in [from, to): produced in the zone (the only
 * way in: the data knows no deliveries from the city), allocated to the city, allocated within the
 * zone (checkpoints, communities, medical staff). Counted as stock counts them: report versions in
 * force by period start, allocations not cancelled by when they were planned.
 */
export function dayFlowsQuery(db: Pick<Tx, '$queryRaw'>, from: Date, to: Date) {
  return db.$queryRaw<DayFlowRow[]>`
    SELECT p.id AS "productId",
      COALESCE((SELECT SUM(o.produced) FROM "OutputReport" o JOIN "ProductionLine" l ON l.id = o."lineId"
        WHERE l."productId" = p.id AND o."supersededAt" IS NULL AND o."periodStart" >= ${instant(from)} AND o."periodStart" < ${instant(to)}), 0)::bigint AS produced,
      COALESCE(SUM(a.quantity) FILTER (WHERE a.destination = 'CITY'), 0)::bigint AS "toCity",
      COALESCE(SUM(a.quantity) FILTER (WHERE a.destination <> 'CITY'), 0)::bigint AS "toZone"
    FROM "Product" p
    LEFT JOIN "Allocation" a ON a."productId" = p.id AND a.status <> 'CANCELLED' AND a."plannedAt" >= ${instant(from)} AND a."plannedAt" < ${instant(to)}
    GROUP BY p.id`;
}
