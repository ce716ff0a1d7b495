import { randomUUID } from 'node:crypto';
import { Prisma } from '@fangkong/prisma';
import type { Tx } from './changes.ts';
import { IdempotencyConflictError } from './write-errors.ts';

type Column = string | number | boolean | null | Prisma.Sql;

/**
 * Inserts a row unless its idempotency key exists, in one statement: the unique index decides, so
 * concurrent retries add one row. A replay returns the stored row (duplicate: true); the same key
 * with a different payload is refused.
 */
export async function insertIdempotent<R extends { payloadHash: string | null }>(
  tx: Tx,
  table: 'CheckpointReport' | 'OutputReport' | 'Allocation',
  columns: Record<string, Column>,
  key: { idempotencyKey: string; payloadHash: string },
  find: { byId(id: string): Promise<R>; byKey(idempotencyKey: string): Promise<R> },
): Promise<{ row: R; duplicate: boolean }> {
  const id = randomUUID();
  const all: Record<string, Column> = { id, ...columns, idempotencyKey: key.idempotencyKey, payloadHash: key.payloadHash };
  const names = Prisma.join(Object.keys(all).map((name) => Prisma.raw(`"${name}"`)));
  const values = Prisma.join(Object.values(all).map((value) => (value instanceof Prisma.Sql ? value : Prisma.sql`${value}`)));
  const inserted = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO ${Prisma.raw(`"${table}"`)} (${names}) VALUES (${values})
    ON CONFLICT ("idempotencyKey") DO NOTHING
    RETURNING id`;
  if (inserted.length) return { row: await find.byId(id), duplicate: false };
  const existing = await find.byKey(key.idempotencyKey);
  if (existing.payloadHash !== key.payloadHash) throw new IdempotencyConflictError(key.idempotencyKey);
  return { row: existing, duplicate: true };
}

/** An enum value cast for raw SQL. */
export const enumValue = (type: string, value: string) => Prisma.sql`${value}::${Prisma.raw(`"${type}"`)}`;
