import { Prisma } from '@fangkong/prisma';
import type { Tx } from './changes.ts';
import { NotFoundError } from './write-errors.ts';

/** Tables a write locks a row of before reading and changing it. */
export type LockableTable = 'CheckpointReport' | 'OutputReport' | 'ProductionLine' | 'Allocation' | 'IsolationCase' | 'Task' | 'Finding' | 'Enterprise' | 'Product';

/**
 * Locks one row `FOR UPDATE` until the transaction ends, so concurrent writes to it run one after
 * the other; refuses with NotFound (naming the argument) when there is no such row.
 */
export async function lockRow(tx: Tx, table: LockableTable, id: string, notFound: { entity: string; field: string }): Promise<string> {
  const [locked] = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM ${Prisma.raw(`"${table}"`)} WHERE id = ${id} FOR UPDATE`;
  if (!locked) throw new NotFoundError(notFound.entity, id, notFound.field);
  return locked.id;
}
