import { builder } from '../core/builder.ts';
import { checkPageSize } from '../core/pagination.ts';
import { TimeRangeInput, timeRangeWhere } from '../core/time-range.ts';
import { renamed } from '../core/renamed.ts';
import { prismaEnum } from '../core/enums.ts';
import { $Enums } from '@fangkong/prisma';

export const ProductCategory = prismaEnum($Enums.ProductCategory, 'ProductCategory', 'Kinds of supplies in the catalogue.', {
  MASK: 'Medical and N95 masks.',
  PROTECTIVE_EQUIPMENT: 'Protective suits and other protective equipment.',
  MEDICINE: 'Medicines.',
  DISINFECTANT: 'Disinfectants.',
  FOOD: 'Food.',
  DRINK: 'Drinks.',
  MATERIAL: 'Raw and intermediate materials.',
});

export const SupplySource = prismaEnum($Enums.SupplySource, 'SupplySource', 'Where allocated supplies come from.', {
  ENTERPRISE: "Straight from a producer's output.",
  STOCK: "From the headquarters' stock.",
});

export const AllocationDestination = prismaEnum($Enums.AllocationDestination, 'AllocationDestination', 'Who receives allocated supplies under unified allocation (统一调度).', {
  CITY: "The city's needs.",
  CHECKPOINT: 'A checkpoint in the zone.',
  COMMUNITY: 'A community or compound in the zone.',
  MEDICAL_STAFF: 'Medical staff.',
});

export const AllocationStatus = prismaEnum($Enums.AllocationStatus, 'AllocationStatus', 'planned → dispatched → delivered, or cancelled.', {
  PLANNED: 'Decided, not yet sent.',
  DISPATCHED: 'On the way.',
  DELIVERED: 'Received.',
  CANCELLED: 'Called off; not counted against stock.',
});

export const ProductRef = builder.prismaNode('Product', {
  nullable: true,
  authScopes: { reference: true },
  description: 'An item of the supplies catalogue.',
  id: { field: 'id' },
  fields: (t) => ({
    slug: t.exposeString('id', { description: 'Stable readable identifier, e.g. "medical-mask".' }),
    name: t.exposeString('name', { description: 'Chinese name.' }),
    nameEn: t.exposeString('nameEn', { description: 'English gloss.' }),
    category: t.expose('category', { type: ProductCategory, description: 'Kind of supply.' }),
    unit: t.exposeString('unit', { description: 'Counting unit in Chinese (只, 件 …).' }),
    unitEn: t.exposeString('unitEn', { description: 'Counting unit in English.' }),
    safetyLevel: t.exposeInt('safetyLevel', { description: 'Safety level (安全库存): stock below it is low. 0: no level kept. Admins set it with setProductSafetyLevel.' }),
    lines: t.relation('lines', { description: 'Lines that make it.', query: { orderBy: { id: 'asc' } } }),
  }),
});

export const AllocationRef = builder.prismaNode('Allocation', {
  nullable: true,
  authScopes: { records: true },
  description: 'Supplies sent under the headquarters\' unified allocation.',
  id: { field: 'id' },
  fields: (t) => ({
    product: t.relation('product', { description: 'What is sent.' }),
    quantity: t.exposeInt('quantity', { description: 'How many units.' }),
    source: t.expose('source', { type: SupplySource, description: 'From a producer or from stock.' }),
    sourceEnterprise: t.relation('sourceEnterprise', { nullable: true, description: 'The producer, when sent from one.' }),
    destination: t.expose('destination', { type: AllocationDestination, description: 'Who receives it.' }),
    destinationCheckpoint: t.relation('destinationCheckpoint', { nullable: true, description: 'The receiving checkpoint, if any.' }),
    destinationArea: t.relation('destinationArea', { nullable: true, description: 'The receiving community or compound, if any.' }),
    note: t.exposeString('note', { nullable: true, description: 'Free-text detail.' }),
    status: t.expose('status', { type: AllocationStatus, description: 'Where it is in its life.' }),
    plannedAt: t.expose('plannedAt', { type: 'DateTime', description: 'When it was decided.' }),
    dispatchedAt: t.expose('dispatchedAt', { type: 'DateTime', nullable: true, description: 'When it left.' }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', nullable: true, description: 'When it arrived.' }),
    simulated: t.exposeBoolean('simulated', { description: 'Produced by the simulator; not real data.' }),
  }),
});

builder.queryFields((t) => ({
  products: t.prismaConnection(
    {
      authScopes: { reference: true },
      type: 'Product',
      cursor: 'id',
      description: 'The supplies catalogue.',
      args: { category: t.arg({ type: ProductCategory, required: false, description: 'Only this kind.' }) },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.product.findMany({ ...query, where: args.category ? { category: args.category } : {}, orderBy: { id: 'asc' } });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.product.count({ where: args.category ? { category: args.category } : {} }),
    },
    { description: 'A page of products.' },
  ),
  allocations: t.prismaConnection(
    {
      authScopes: { records: true },
      type: 'Allocation',
      cursor: 'id',
      description: 'Allocations, newest first.',
      args: {
        productId: t.arg.globalID({ for: ProductRef, required: false, description: 'Only this product.' }),
        product: t.arg.globalID({ for: ProductRef, required: false, description: 'Only this product.', deprecationReason: 'Use productId.' }),
        status: t.arg({ type: AllocationStatus, required: false, description: 'Only this status.' }),
        planned: t.arg({ type: TimeRangeInput, required: false, description: 'Only those planned in this window.' }),
      },
      resolve: (query, _root, args, ctx) => {
        checkPageSize(args);
        return ctx.prisma.allocation.findMany({ ...query, where: allocationsWhere({ ...args, product: renamed(args, 'productId', 'product') }), orderBy: [{ plannedAt: 'desc' }, { id: 'asc' }] });
      },
      totalCount: (_c, args, ctx) => ctx.prisma.allocation.count({ where: allocationsWhere({ ...args, product: renamed(args, 'productId', 'product') }) }),
    },
    { description: 'A page of allocations.' },
  ),
}));

function allocationsWhere(args: {
  product?: { id: string } | null;
  status?: $Enums.AllocationStatus | null;
  planned?: { from?: Date | null; to?: Date | null } | null;
}) {
  return {
    ...(args.product ? { productId: args.product.id } : {}),
    ...(args.status ? { status: args.status } : {}),
    ...(args.planned ? { plannedAt: timeRangeWhere(args.planned) } : {}),
  };
}
