import { buildSchema, graphqlSync, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { asks } from './selection.ts';

const schema = buildSchema(`
  type Stock { produced: Int day: Flows }
  type Flows { produced: Int }
  type Summary { stock: [Stock] total: Int }
  type Query { summary: Summary }
`);

/** What `asks(info, path)` answers inside `summary` for an operation. */
function asked(source: string, path: string[]): boolean {
  let answer: boolean | undefined;
  const result = graphqlSync({
    schema,
    source,
    fieldResolver: (_parent, _args, _ctx, info: GraphQLResolveInfo) => {
      if (info.fieldName === 'summary') answer = asks(info, path);
      return null;
    },
  });
  expect(result.errors).toBeUndefined();
  expect(answer).toBeDefined();
  return answer!;
}

describe('asks', () => {
  it('finds a field asked directly, under an alias, and not one left out', () => {
    expect(asked('{ summary { stock { day { produced } } } }', ['stock', 'day'])).toBe(true);
    expect(asked('{ summary { s: stock { d: day { produced } } } }', ['stock', 'day'])).toBe(true);
    expect(asked('{ summary { stock { produced } total } }', ['stock', 'day'])).toBe(false);
    expect(asked('{ summary { total } }', ['stock'])).toBe(false);
  });

  it('looks through named and inline fragments, nested', () => {
    const source = `{ summary { ...S } } fragment S on Summary { ... on Summary { stock { ...D } } } fragment D on Stock { day { produced } }`;
    expect(asked(source, ['stock', 'day'])).toBe(true);
    expect(asked(`{ summary { ...S } } fragment S on Summary { stock { produced } }`, ['stock', 'day'])).toBe(false);
  });

  it('counts a field under @skip or @include as asked: fetching more is safe, less is not', () => {
    expect(asked('{ summary { stock @skip(if: true) { day { produced } } } }', ['stock', 'day'])).toBe(true);
  });
});
