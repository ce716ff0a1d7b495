import type { Allocation } from '@fangkong/prisma';
import { builder } from '../core/builder.ts';
import { commitChange, type Tx } from '../core/changes.ts';
import { CheckpointRef } from '../checkpoints/checkpoints.ts';
import { enumValue, insertIdempotent, isRetryOf, submission } from '../core/idempotency.ts';
import { AreaRef } from '../places/places.ts';
import { EnterpriseRef } from '../production/production.ts';
import { checkIdempotencyKey, Rules } from '../core/rules.ts';
import { instant } from '../core/sql.ts';
import { AllocationDestination, AllocationRef, ProductRef, SupplySource } from './supplies.ts';
import { IdempotencyConflictError, InsufficientStockError, InvalidStateError, NotFoundError, ValidationError } from '../core/write-errors.ts';
import { lockRow } from '../core/writes.ts';
import { lockedStock } from './stock.ts';

const AllocateSuppliesInput = builder.inputType('AllocateSuppliesInput', {
  description: 'Send supplies under unified allocation. Stock (produced − allocated) can never go negative.',
  fields: (t) => ({
    productId: t.globalID({ for: ProductRef, required: true, description: 'What to send.' }),
    quantity: t.int({ required: true, description: 'How many units (≥ 1).' }),
    source: t.field({ type: SupplySource, required: true, description: 'From a producer or from stock.' }),
    sourceEnterpriseId: t.globalID({ for: EnterpriseRef, required: false, description: 'The producer, when source is ENTERPRISE.' }),
    destination: t.field({ type: AllocationDestination, required: true, description: 'Who receives it.' }),
    destinationCheckpointId: t.globalID({ for: CheckpointRef, required: false, description: 'Required when destination is CHECKPOINT.' }),
    destinationAreaId: t.globalID({ for: AreaRef, required: false, description: 'Required when destination is COMMUNITY (a community or compound).' }),
    note: t.string({ required: false, description: 'Free-text detail.' }),
    idempotencyKey: t.string({ required: true, description: 'Chosen once per allocation, reused on every retry.' }),
  }),
});

const AllocationPayload = builder.objectRef<{ allocation: Allocation; duplicate: boolean }>('AllocationPayload').implement({
  description: 'The allocation as stored.',
  fields: (t) => ({
    allocation: t.field({ type: AllocationRef, description: 'The allocation.', resolve: (p) => p.allocation }),
    duplicate: t.exposeBoolean('duplicate', { description: 'True when this was a retry: nothing new was written.' }),
  }),
});

async function advance(tx: Tx, id: string, to: 'DISPATCHED' | 'DELIVERED', at: Date) {
  await lockRow(tx, 'Allocation', id, { entity: 'allocation', field: 'allocationId' });
  const before = await tx.allocation.findUniqueOrThrow({ where: { id } });
  const allowedFrom = to === 'DISPATCHED' ? 'PLANNED' : 'DISPATCHED';
  if (before.status === to) return { before, after: before, changed: false };
  if (before.status !== allowedFrom) {
    throw new InvalidStateError('allocationId', before.status, `a ${before.status.toLowerCase()} allocation cannot become ${to.toLowerCase()}; it must be ${allowedFrom.toLowerCase()} first`);
  }
  const after = await tx.allocation.update({ where: { id }, data: to === 'DISPATCHED' ? { status: to, dispatchedAt: at } : { status: to, deliveredAt: at } });
  return { before, after, changed: true };
}

builder.mutationFields((t) => ({
  allocateSupplies: t.field({
    authScopes: { command: true },
    type: AllocationPayload,
    description: 'Plan an allocation of supplies. Refused when stock would go negative, also under concurrent allocations.',
    errors: { types: [ValidationError, NotFoundError, IdempotencyConflictError, InsufficientStockError] },
    args: { input: t.arg({ type: AllocateSuppliesInput, required: true, description: 'The allocation.' }) },
    resolve: async (_root, { input }, ctx) => {
      const rules = new Rules().count('quantity', input.quantity, 10_000_000).text('note', input.note, { max: 1000 });
      if (input.quantity < 1) rules.fail('quantity', 'must be at least 1');
      if (input.source === 'ENTERPRISE' && !input.sourceEnterpriseId) rules.fail('sourceEnterpriseId', 'is required when source is ENTERPRISE');
      if (input.source === 'STOCK' && input.sourceEnterpriseId) rules.fail('sourceEnterpriseId', 'must be empty when source is STOCK');
      if (input.destination === 'CHECKPOINT' && !input.destinationCheckpointId) rules.fail('destinationCheckpointId', 'is required when destination is CHECKPOINT');
      if (input.destination === 'COMMUNITY' && !input.destinationAreaId) rules.fail('destinationAreaId', 'is required when destination is COMMUNITY');
      checkIdempotencyKey(rules, input.idempotencyKey);
      rules.check();
      const row = {
        productId: input.productId.id,
        quantity: input.quantity,
        source: input.source,
        sourceEnterpriseId: input.sourceEnterpriseId?.id ?? null,
        destination: input.destination,
        destinationCheckpointId: input.destination === 'CHECKPOINT' ? input.destinationCheckpointId!.id : null,
        destinationAreaId: input.destination === 'COMMUNITY' ? input.destinationAreaId!.id : null,
        note: input.note?.trim() || null,
      };
      const key = submission(input.idempotencyKey, row);
      return commitChange(ctx, async (tx) => {
        const replay = await tx.allocation.findUnique({ where: { idempotencyKey: input.idempotencyKey } });
        if (replay) {
          if (!isRetryOf(replay, key)) throw new IdempotencyConflictError(input.idempotencyKey);
          return { value: { allocation: replay, duplicate: true }, change: null };
        }
        const product = await tx.product.findUnique({ where: { id: row.productId } });
        if (!product) throw new NotFoundError('product', row.productId, 'productId');
        if (row.sourceEnterpriseId) {
          const makes = await tx.productionLine.count({ where: { enterpriseId: row.sourceEnterpriseId, productId: product.id } });
          if (!makes) throw new ValidationError([{ field: 'sourceEnterpriseId', message: `${row.sourceEnterpriseId} has no line making ${product.id}` }]);
        }
        if (row.destinationCheckpointId && !(await tx.checkpoint.count({ where: { id: row.destinationCheckpointId } }))) {
          throw new NotFoundError('checkpoint', row.destinationCheckpointId, 'destinationCheckpointId');
        }
        if (row.destinationAreaId) {
          const area = await tx.area.findUnique({ where: { id: row.destinationAreaId } });
          if (!area) throw new NotFoundError('area', row.destinationAreaId, 'destinationAreaId');
          if (area.level !== 'COMMUNITY' && area.level !== 'COMPOUND') {
            throw new ValidationError([{ field: 'destinationAreaId', message: `${area.id} is a ${area.level.toLowerCase()}; choose a community or compound` }]);
          }
        }
        const available = await lockedStock(tx, product.id);
        if (row.quantity > available) throw new InsufficientStockError(product.id, available, row.quantity);
        const { row: allocation, duplicate } = await insertIdempotent<Allocation>(
          tx,
          'Allocation',
          { ...row, source: enumValue('SupplySource', row.source), destination: enumValue('AllocationDestination', row.destination), plannedAt: instant(ctx.now()), createdBy: ctx.actor },
          key,
          {
            byId: (id) => tx.allocation.findUniqueOrThrow({ where: { id } }),
            byKey: (idempotencyKey) => tx.allocation.findUniqueOrThrow({ where: { idempotencyKey } }),
          },
        );
        return {
          value: { allocation, duplicate },
          change: duplicate
            ? null
            : {
                type: 'allocation:planned',
                entityType: 'Allocation',
                entityId: allocation.id,
                after: allocation,
                payload: { productId: allocation.productId, quantity: allocation.quantity, destination: allocation.destination, stockAfter: available - allocation.quantity },
              },
        };
      });
    },
  }),
  ...Object.fromEntries(
    (
      [
        ['markAllocationDispatched', 'DISPATCHED', 'allocation:dispatched', 'Mark a planned allocation as sent. Repeating it changes nothing.'],
        ['markAllocationDelivered', 'DELIVERED', 'allocation:delivered', 'Mark a dispatched allocation as received. Repeating it changes nothing.'],
      ] as const
    ).map(([name, to, eventType, description]) => [
      name,
      t.field({
        type: AllocationPayload,
        description,
        authScopes: { command: true },
        errors: { types: [NotFoundError, InvalidStateError] },
        args: { allocationId: t.arg.globalID({ for: AllocationRef, required: true, description: 'The allocation.' }) },
        resolve: (_root, args, ctx) =>
          commitChange(ctx, async (tx) => {
            const { before, after, changed } = await advance(tx, args.allocationId.id, to, ctx.now());
            return {
              value: { allocation: after, duplicate: !changed },
              change: changed
                ? { type: eventType, entityType: 'Allocation', entityId: after.id, before, after, payload: { productId: after.productId, status: after.status } }
                : null,
            };
          }),
      }),
    ]),
  ),
}));
