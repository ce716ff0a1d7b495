import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { costRefusal, estimateFields, MAX_ESTIMATED_FIELDS } from './query-cost.ts';

const schema = buildSchema(`
  type Query { areas(first: Int, last: Int): AreaConnection!, meeting: Meeting!, node: Node }
  interface Node { id: ID! }
  type AreaConnection { totalCount: Int!, edges: [AreaEdge!]! }
  type AreaEdge { node: Area! }
  type Area implements Node { id: ID!, name: String!, checkpoints(first: Int): CheckpointConnection! }
  type CheckpointConnection { edges: [CheckpointEdge!]! }
  type CheckpointEdge { node: Checkpoint! }
  type Checkpoint { id: ID!, name: String! }
  type Meeting { directives: [Directive!]! }
  type Directive { text: String! }
`);
const estimate = (query: string, variables?: Record<string, unknown>) => estimateFields(schema, parse(query), variables);

describe('response size estimate', () => {
  it('counts each field once per item of the connections above it', () => {
    // A connection of 5 and everything under it count 5 times: areas, totalCount, edges, node, name.
    expect(estimate('{ areas(first: 5) { totalCount edges { node { name } } } }')).toBe(25);
    // A page of 50 areas with 50 checkpoints each: 3 × 50 for the areas, 4 × 2,500 for the checkpoints.
    expect(estimate('{ areas(first: 50) { edges { node { checkpoints(first: 50) { edges { node { name } } } } } } }')).toBe(150 + 10_000);
  });

  it('reads page sizes from variables, defaults to a page of 50, and guesses plain lists at 10', () => {
    expect(estimate('query($n: Int) { areas(first: $n) { edges { node { id } } } }', { n: 5 })).toBe(estimate('{ areas(first: 5) { edges { node { id } } } }'));
    expect(estimate('{ areas { edges { node { id } } } }')).toBe(4 * 50);
    expect(estimate('{ meeting { directives { text } } }')).toBe(1 + 10 + 10);
  });

  it('follows fragments and inline fragments, never round a cycle', () => {
    const spread = estimate('{ areas(first: 5) { edges { node { ...A } } } } fragment A on Area { id name }');
    expect(spread).toBe(estimate('{ areas(first: 5) { edges { node { id name } } } }'));
    expect(estimate('{ node { ... on Area { name } } }')).toBe(2);
    expect(estimate('{ areas(first: 5) { edges { node { ...A } } } } fragment A on Area { ...B } fragment B on Area { ...A }')).toBe(3 * 5);
  });

  it('refuses, with its code, only what is over the limit', () => {
    expect(costRefusal(schema, parse('{ areas(first: 5) { edges { node { name } } } }'))).toBeNull();
    const refusal = costRefusal(schema, parse('{ areas(first: 500) { edges { node { checkpoints(first: 500) { edges { node { id name } } } } } } }'));
    expect(refusal?.errors[0]?.extensions.code).toBe('QUERY_TOO_COSTLY');
    expect(refusal?.errors[0]?.message).toContain(`at most ${MAX_ESTIMATED_FIELDS}`);
  });
});
