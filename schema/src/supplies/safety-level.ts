import type { Product } from '@fangkong/prisma';
import { builder } from '../core/builder.ts';
import { commitChange } from '../core/changes.ts';
import { Rules } from '../core/rules.ts';
import { NotFoundError, ValidationError } from '../core/write-errors.ts';
import { lockRow } from '../core/writes.ts';
import { ProductRef } from './supplies.ts';

// The safety level (安全库存) of a product: stock below it is low (supplies/stock.ts,
// isBelowSafetyLevel), on the wall and for the STOCK_LOW alert rule alike. Admins set it, audited.

const ProductPayload = builder.objectRef<{ product: Product; changed: boolean }>('ProductPayload').implement({
  description: 'The product after the change.',
  fields: (t) => ({
    product: t.field({ type: ProductRef, description: 'The product.', resolve: (p) => p.product }),
    changed: t.exposeBoolean('changed', { description: 'False when the level was already this: nothing was written.' }),
  }),
});

/** The most a safety level may be: far above any stock the zone ever held, within a 32-bit column. */
const MAX_SAFETY_LEVEL = 100_000_000;

builder.mutationFields((t) => ({
  setProductSafetyLevel: t.field({
    authScopes: { admin: true },
    type: ProductPayload,
    description: "Set a product's safety level (安全库存, admins): its stock below this is low, on the wall and for the stock-low alert rule. 0 keeps no level. Audited.",
    errors: { types: [ValidationError, NotFoundError] },
    args: {
      productId: t.arg.globalID({ for: ProductRef, required: true, description: 'The product.' }),
      safetyLevel: t.arg.int({ required: true, description: `Units, 0 to ${MAX_SAFETY_LEVEL.toLocaleString('en')} (0: no level kept).` }),
    },
    resolve: async (_root, args, ctx) => {
      const rules = new Rules();
      if (!Number.isInteger(args.safetyLevel) || args.safetyLevel < 0 || args.safetyLevel > MAX_SAFETY_LEVEL) {
        rules.fail('safetyLevel', `must be a whole number of units from 0 to ${MAX_SAFETY_LEVEL}; got ${args.safetyLevel}`);
      }
      rules.check();
      return commitChange(ctx, async (tx) => {
        await lockRow(tx, 'Product', args.productId.id, { entity: 'product', field: 'productId' });
        const before = await tx.product.findUniqueOrThrow({ where: { id: args.productId.id } });
        if (before.safetyLevel === args.safetyLevel) return { value: { product: before, changed: false }, change: null };
        const product = await tx.product.update({ where: { id: before.id }, data: { safetyLevel: args.safetyLevel } });
        return {
          value: { product, changed: true },
          change: {
            type: 'product:safetyLevelSet',
            entityType: 'Product',
            entityId: product.id,
            before,
            after: product,
            payload: { productId: product.id, from: before.safetyLevel, to: product.safetyLevel },
          },
        };
      });
    },
  }),
}));
