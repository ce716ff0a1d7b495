import { LIST_SIZE, type ListSize } from '@fangkong/schema';
import { ErrorCode } from '@fangkong/zone';
import {
  type DocumentNode,
  type FieldNode,
  type GraphQLField,
  getArgumentValues,
  getVariableValues,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  type GraphQLCompositeType,
  GraphQLError,
  type GraphQLSchema,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** The estimate stops counting above this: whatever the budget, such an operation is refused. */
export const ESTIMATE_CEILING = 1_000_000;

const DEFAULT_PAGE = 50;
/** Plain lists (a meeting's directives, a line's history) are short; assume this many items. */
const LIST_GUESS = 10;

/**
 * Estimates how many fields a response can hold: each field counts once per item of every list or
 * connection above it, connections by their `first`/`last` (or the default page), lists that declare
 * their size (a chart's buckets, schema/src/core/list-size.ts) by it, other plain lists by a guess.
 * Unlike a static depth-weighted cost it follows what the server will actually return, so a page of
 * 50 areas with 50 checkpoints each is 2,500 checkpoint rows, whatever the nesting looks like, and a
 * 400-day hourly series is 9,600 points. Aliases add up. Stops counting above `ceiling`.
 */
export function estimateFields(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}, ceiling = ESTIMATE_CEILING): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);

  const intValue = (node: ValueNode | undefined): number | undefined => {
    if (!node) return undefined;
    if (node.kind === Kind.INT) return Number(node.value);
    if (node.kind === Kind.VARIABLE) {
      const value = variables[node.name.value];
      return typeof value === 'number' ? value : undefined;
    }
    return undefined;
  };

  // Declared sizes read arguments as resolvers do: coerced, variables included. A field whose
  // arguments do not coerce fails before it reads anything, so it counts as one item.
  let coercedVariables: Record<string, unknown> = {};
  const declaredSize = (field: GraphQLField<unknown, unknown>, node: FieldNode): number | undefined => {
    const size = field.extensions?.[LIST_SIZE] as ListSize | undefined;
    if (typeof size !== 'function') return undefined;
    try {
      const items = size(getArgumentValues(field, node, coercedVariables));
      return Number.isFinite(items) && items >= 0 ? items : 1;
    } catch {
      return 1;
    }
  };

  const walk = (selectionSet: SelectionSetNode, type: GraphQLCompositeType, multiplier: number, seen: Set<string>): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
        if (!field) continue;
        const named = getNamedType(field.type);
        let items = multiplier;
        if (named.name.endsWith('Connection')) {
          const arg = (name: string) => intValue(selection.arguments?.find((a) => a.name.value === name)?.value);
          items *= arg('first') ?? arg('last') ?? DEFAULT_PAGE;
        } else if (isListType(getNullableType(field.type)) && selection.name.value !== 'edges') {
          items *= declaredSize(field, selection) ?? LIST_GUESS;
        }
        total += items;
        if (selection.selectionSet && isCompositeType(named)) total += walk(selection.selectionSet, named, items, seen);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type;
        if (condition && isCompositeType(condition)) total += walk(selection.selectionSet, condition, multiplier, seen);
      } else {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        const condition = fragment && schema.getType(fragment.typeCondition.name.value);
        // A fragment cycle is a validation error already; never follow one here.
        if (fragment && condition && isCompositeType(condition) && !seen.has(name)) total += walk(fragment.selectionSet, condition, multiplier, new Set(seen).add(name));
      }
      if (total > ceiling) return total;
    }
    return total;
  };

  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = definition.operation === 'query' ? schema.getQueryType() : definition.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    const coerced = getVariableValues(schema, definition.variableDefinitions ?? [], variables);
    coercedVariables = coerced.coerced ?? {};
    if (root) total += walk(definition.selectionSet, root, 1, new Set());
    if (total > ceiling) return total;
  }
  return total;
}

/** What one operation may produce, and whose budget that is (in the refusal's words). */
export interface Budget {
  fields: number;
  /** e.g. "analyst tokens". */
  of: string;
}

/**
 * Refuses, before anything runs, an operation estimated to produce more than its budget: 400
 * QUERY_TOO_COSTLY saying the cost, the budget and how to ask for less (`extensions.cost`/`budget`).
 */
export function costRefusal(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> | undefined, budget: Budget) {
  const estimate = Math.round(estimateFields(schema, document, variables ?? {}));
  if (estimate <= budget.fields) return null;
  const cost = estimate > ESTIMATE_CEILING ? `more than ${ESTIMATE_CEILING.toLocaleString('en-US')}` : `about ${estimate.toLocaleString('en-US')}`;
  return {
    errors: [
      new GraphQLError(
        `this operation would produce ${cost} fields, over the budget of ${budget.fields.toLocaleString('en-US')} for ${budget.of} — ask for a shorter range, DAY instead of HOUR buckets, fewer series or fields, or smaller pages, in several requests if need be`,
        { extensions: { code: ErrorCode.QueryTooCostly, cost: estimate, budget: budget.fields, http: { status: 400 } } },
      ),
    ],
  };
}
