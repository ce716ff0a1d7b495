import { ErrorCode } from '@fangkong/zone';
import {
  type DocumentNode,
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

/** Fields a response may hold, estimated before execution. */
export const MAX_ESTIMATED_FIELDS = 100_000;

const DEFAULT_PAGE = 50;
/** Plain lists (a meeting's directives, a line's history) are short; assume this many items. */
const LIST_GUESS = 10;

/**
 * Estimates how many fields a response can hold: each field counts once per item of every list or
 * connection above it, connections by their `first`/`last` (or the default page). Unlike a static
 * depth-weighted cost it follows what the server will actually return, so a page of 50 areas with
 * 50 checkpoints each is 2,500 checkpoint rows, whatever the nesting looks like.
 */
export function estimateFields(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}): number {
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
          items *= LIST_GUESS;
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
      if (total > MAX_ESTIMATED_FIELDS) return total;
    }
    return total;
  };

  let total = 0;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = definition.operation === 'query' ? schema.getQueryType() : definition.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    if (root) total += walk(definition.selectionSet, root, 1, new Set());
  }
  return total;
}

export function costRefusal(schema: GraphQLSchema, document: DocumentNode, variables?: Record<string, unknown>) {
  const estimate = estimateFields(schema, document, variables ?? {});
  if (estimate <= MAX_ESTIMATED_FIELDS) return null;
  return {
    errors: [
      new GraphQLError(`the response could hold about ${Math.round(estimate)} fields; at most ${MAX_ESTIMATED_FIELDS} are allowed — ask for smaller pages or fewer nested lists`, {
        extensions: { code: ErrorCode.QueryTooCostly, http: { status: 400 } },
      }),
    ],
  };
}
