import { LIST_SIZE } from '@fangkong/schema';
import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { costRefusal, ESTIMATE_CEILING, estimateFields } from './query-cost.ts';

const schema = buildSchema(`
  type Query { areas(first: Int, last: Int): AreaConnection!, meeting: Meeting!, node: Node, series(hours: Int!): [Point!]! }
  type Point { start: String!, counts: Counts! }
  type Counts { a: Int!, b: Int! }
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
// A list that declares its size, as the chart series do: here one point per hour asked for.
schema.getQueryType()!.getFields().series!.extensions = { [LIST_SIZE]: (args: Record<string, unknown>) => args.hours as number };
const budget = { fields: 10_000, of: 'analyst tokens' };
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

  it('counts a list that declares its size by it, from literal or variable arguments, aliases added up', () => {
    // Each point: the point, its start, its counts and their two figures.
    expect(estimate('{ series(hours: 24) { start counts { a b } } }')).toBe(24 * 5);
    expect(estimate('query($h: Int!) { series(hours: $h) { start } }', { h: 9600 })).toBe(9600 * 2);
    expect(estimate('{ a: series(hours: 100) { start } b: series(hours: 100) { start } }')).toBe(2 * 100 * 2);
    // Arguments that do not coerce fail before anything is read: one item.
    expect(estimate('query($h: Int!) { series(hours: $h) { start } }', { h: 'many' })).toBe(2);
  });

  it('refuses, with its code, the cost and the budget, only what is over the budget', () => {
    expect(costRefusal(schema, parse('{ areas(first: 5) { edges { node { name } } } }'), undefined, budget)).toBeNull();
    expect(costRefusal(schema, parse('{ series(hours: 2000) { start counts { a b } } }'), undefined, budget)).toBeNull();
    const refusal = costRefusal(schema, parse('{ series(hours: 2001) { start counts { a b } } }'), undefined, budget);
    expect(refusal?.errors[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COSTLY', cost: 10_005, budget: 10_000, http: { status: 400 } });
    expect(refusal?.errors[0]?.message).toContain('about 10,005 fields, over the budget of 10,000 for analyst tokens');
    const huge = costRefusal(schema, parse('{ areas(first: 500) { edges { node { checkpoints(first: 500) { edges { node { id name } } } } } } }'), undefined, budget);
    expect(huge?.errors[0]?.message).toContain(`more than ${ESTIMATE_CEILING.toLocaleString('en-US')} fields`);
  });
});
