import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * Whether the operation asks, below the field being resolved, for the field at `path` (names, not
 * aliases; through fragments and inline fragments). `@skip`/`@include` are not read: a field they
 * leave out still counts as asked, so a resolver may fetch a little more, never less.
 * Resolvers use it to leave out statements whose rows nothing asked for.
 */
export function asks(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  return info.fieldNodes.some((node) => node.selectionSet !== undefined && within(info, node.selectionSet, path, 0, new Set()));
}

function within(info: GraphQLResolveInfo, set: SelectionSetNode, path: readonly string[], depth: number, seen: Set<string>): boolean {
  for (const selection of set.selections) {
    if (selection.kind === 'Field') {
      if (selection.name.value !== path[depth]) continue;
      if (depth === path.length - 1) return true;
      if (selection.selectionSet && within(info, selection.selectionSet, path, depth + 1, seen)) return true;
    } else if (selection.kind === 'InlineFragment') {
      if (within(info, selection.selectionSet, path, depth, seen)) return true;
    } else {
      const name = selection.name.value;
      const fragment = info.fragments[name];
      if (!fragment || seen.has(`${name}@${depth}`)) continue;
      seen.add(`${name}@${depth}`);
      if (within(info, fragment.selectionSet, path, depth, seen)) return true;
    }
  }
  return false;
}
