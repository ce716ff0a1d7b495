import { ErrorCode } from '@fangkong/zone';
import SchemaBuilder from '@pothos/core';
import { type GraphQLSchema, isObjectType } from 'graphql';
import ErrorsPlugin from '@pothos/plugin-errors';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import { getDatamodel, type PrismaTypes } from '@fangkong/prisma';
import { scopesOf } from './access.ts';
import { hideForbiddenNode, hideForbiddenNodes } from './node-access.ts';
import type { Context } from './context.ts';
import { userError } from './errors.ts';
import { DateResolver, DateTimeResolver, JSONObjectResolver, SeqResolver } from './scalars.ts';

/** Page sizes for every connection: analysts get 50 rows unless they ask, at most 500. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  AuthScopes: {
    reference: boolean;
    aggregates: boolean;
    records: boolean;
    events: boolean;
    alerts: boolean;
    admin: boolean;
    screen: boolean;
    command: boolean;
    personal: boolean;
    /** A checkpoint or production line id the caller may report for. */
    operates: string;
    /** A compound id whose isolated residents the caller may see. */
    caresFor: string;
  };
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: string; Output: string };
    Seq: { Input: bigint; Output: bigint };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, ErrorsPlugin, PrismaPlugin, RelayPlugin],
  scopeAuth: {
    // Checked again when a subscription starts, not only per event.
    authorizeOnSubscribe: true,
    authScopes: scopesOf,
    unauthorizedError: (_parent, ctx, info) => {
      const what = `${info.parentType.name}.${info.fieldName}`;
      ctx.onDenied?.(what);
      return userError(`not allowed for this token: ${what}`, ErrorCode.Forbidden);
    },
  },
  errors: {
    defaultTypes: [],
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName[0]!.toUpperCase()}${fieldName.slice(1)}Result`,
      description: 'The payload on success, or the typed reason nothing was written.',
    },
  },
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    defaultConnectionSize: DEFAULT_PAGE_SIZE,
    maxConnectionSize: MAX_PAGE_SIZE,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // An object the caller may not see is answered as a missing one (node-access.ts).
    nodeQueryOptions: {
      description: 'Any object by its global ID; null when none exists or the token may not see it.',
      args: { id: { description: 'A global ID.' } },
      resolve: async (_root, args, ctx, info, resolveNode) => hideForbiddenNode(args.id.typename, await resolveNode(args.id), ctx, info),
    },
    nodesQueryOptions: {
      description: 'Several objects by their global IDs, in the order asked; null where none exists or the token may not see it.',
      args: { ids: { description: 'Global IDs.' } },
      resolve: async (_root, args, ctx, info, resolveNodes) => hideForbiddenNodes(args.ids.map((id) => id.typename), await resolveNodes(args.ids), ctx, info),
    },
    nodeTypeOptions: { description: 'An object with a global ID, fetchable with node(id).' },
    idFieldOptions: { description: 'Global ID, opaque; use it with node(id).' },
    pageInfoTypeOptions: { description: 'Where a page sits in its connection.' },
    defaultConnectionTypeOptions: { description: 'A page of results with cursors.' },
    defaultEdgeTypeOptions: { description: 'One result of a page and its cursor.' },
    edgesFieldOptions: { description: 'The results of this page.' },
    nodeFieldOptions: { description: 'The result.' },
    cursorFieldOptions: { description: 'Opaque cursor; pass it as after/before to page on.' },
    pageInfoFieldOptions: { description: 'Where this page sits.' },
    hasNextPageFieldOptions: { description: 'More results follow.' },
    hasPreviousPageFieldOptions: { description: 'Results precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first result.' },
    endCursorFieldOptions: { description: 'Cursor of the last result.' },
    firstArgOptions: { description: 'Page size from the start (default 50, at most 500).' },
    lastArgOptions: { description: 'Page size from the end (at most 500).' },
    afterArgOptions: { description: 'Start after this cursor.' },
    beforeArgOptions: { description: 'End before this cursor.' },
  },
});

/** The builder's type parameters, for helpers that take a field builder. */
export type SchemaTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer T> ? T : never;

builder.addScalarType('DateTime', DateTimeResolver);
builder.addScalarType('Date', DateResolver);
builder.addScalarType('Seq', SeqResolver);
builder.addScalarType('JSONObject', JSONObjectResolver);

builder.queryType({ description: 'Read the zone: reference data, reports and aggregates computed in SQL.' });
builder.mutationType({ description: 'Report and change: every write validates everything, commits with its audit entry and outbox event, or writes nothing.' });

/** The Prisma plugin's generated `totalCount` fields take no options; describe them here. */
export function describeGeneratedFields(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    const totalCount = type.getFields().totalCount;
    if (totalCount && !totalCount.description) totalCount.description = 'Number of results across all pages.';
  }
  return schema;
}
