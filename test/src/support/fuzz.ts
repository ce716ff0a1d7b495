import fc from 'fast-check';
import {
  buildClientSchema,
  getNamedType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';
import { globalId } from './ids.ts';

/**
 * Random GraphQL operations built from the server's own schema (introspected), with hostile
 * argument values: extreme and wrong-typed numbers, NUL and very long text, malformed and dangling
 * ids and cursors, the years 0001 and 9999, deep nesting, many aliases. Everything is drawn from
 * fast-check arbitraries, so one seed gives the same cases again.
 */
export interface FuzzOperation {
  query: string;
  variables?: Record<string, unknown>;
  kind: 'query' | 'mutation' | 'subscription';
}

export function schemaFromIntrospection(introspection: IntrospectionQuery): GraphQLSchema {
  return buildClientSchema(introspection);
}

const KNOWN_IDS = [
  globalId('Checkpoint', 'fengshou-road'),
  globalId('Checkpoint', 'yingbin-road-exit'),
  globalId('Area', 'zhulinlu'),
  globalId('Area', 'baida-jiayuan'),
  globalId('ProductionLine', 'yizhonghong-line-1'),
  globalId('Enterprise', 'yizhonghong'),
  globalId('Product', 'medical-mask'),
  globalId('Department', 'headquarters'),
];

const longText = (n: number) => 'é'.repeat(n);

const hostileString = fc.oneof(
  fc.constantFrom('', ' ', 'a\u0000b', '\u0000', longText(10_000), '🦠'.repeat(300), "'; DROP TABLE \"Event\"; --", '%s%n', '<script>', '\\', '"', '\uFFFF', '\uD800'),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);
const hostileInt = fc.oneof(
  fc.constantFrom(0, -1, 1, 2_147_483_647, -2_147_483_648, 2_147_483_648, Number.MAX_SAFE_INTEGER + 2, -1e12, 10_000, 501, 100_000),
  fc.integer(),
);
const hostileFloat = fc.oneof(fc.constantFrom(0, -0.5, 1e308, -1e308, 36.6, 43.01, 1e-320), fc.double({ noNaN: true, noDefaultInfinity: true }));
const hostileId = fc.oneof(
  fc.constantFrom(...KNOWN_IDS),
  fc.constantFrom('', 'x', '====', 'Q2hlY2twb2ludA==', globalId('Checkpoint', ''), globalId('Nope', 'x'), globalId('Checkpoint', 'missing'), globalId('IsolationCase', '00000000-0000-4000-8000-000000000000'), 'a\u0000b', longText(3000)),
  fc.string({ maxLength: 30 }).map((s) => Buffer.from(s).toString('base64')),
);
const hostileDateTime = fc.oneof(
  fc.constantFrom('0001-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2020-02-07T00:00:00+08:00', '2020-02-30T00:00:00Z', 'yesterday', '', '1899-12-31T23:59:59Z', '+275760-09-13T00:00:00Z', '2020-02-07T25:00:00Z'),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
);
const hostileDate = fc.constantFrom('0001-01-01', '9999-12-31', '2020-02-07', '2020-02-30', '2020-13-01', 'today', '', '20200207');
const hostileCursor = fc.oneof(fc.constantFrom('', 'x', 'YXJyYXljb25uZWN0aW9uOjA=', 'R1BDOlM6eA==', '0', '-1', '99999999999999999999', longText(2000)), fc.string({ maxLength: 20 }));

/** A value of the argument's declared type, or often of the wrong type, or null. */
function valueFor(type: GraphQLInputType, name: string, depth: number): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(fc.constant(null), hostileString, hostileInt, fc.constant(true), fc.constant({ a: 1 }), fc.constant([1, 2]));
  const right = rightValueFor(type, name, depth);
  return fc.oneof({ weight: 6, arbitrary: right }, { weight: 1, arbitrary: wrong });
}

function rightValueFor(type: GraphQLInputType, name: string, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return rightValueFor(type.ofType, name, depth);
  if (isListType(type)) {
    const item = valueFor(type.ofType as GraphQLInputType, name, depth + 1);
    return fc.oneof({ weight: 5, arbitrary: fc.array(item, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.array(item, { minLength: 400, maxLength: 600 }) });
  }
  const named = getNamedType(type);
  if (isEnumType(named)) return fc.oneof(fc.constantFrom(...named.getValues().map((v) => ({ enum: v.name }))), fc.constant({ enum: 'NOT_A_VALUE' }));
  if (isInputObjectType(named)) {
    if (depth > 3) return fc.constant(null);
    const fields = Object.values(named.getFields());
    return fc.record(Object.fromEntries(fields.map((f) => [f.name, valueFor(f.type, f.name, depth + 1)])), { requiredKeys: [] });
  }
  if (isScalarType(named)) {
    switch (named.name) {
      case 'Int':
        return hostileInt;
      case 'Float':
        return hostileFloat;
      case 'Boolean':
        return fc.boolean();
      case 'ID':
        return hostileId;
      case 'DateTime':
        return hostileDateTime;
      case 'Date':
        return hostileDate;
      case 'Seq':
        return fc.oneof(fc.constantFrom('0', '-1', '18446744073709551616', 'x', ''), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String));
      case 'String':
        return /cursor|after|before/i.test(name) ? hostileCursor : hostileString;
      default:
        return hostileString;
    }
  }
  return fc.constant(null);
}

/** A GraphQL literal; `{ enum }` marks an enum value. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(value).replace('Infinity', '1e400');
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object' && 'enum' in (value as object) && Object.keys(value as object).length === 1) return String((value as { enum: string }).enum);
  return `{ ${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${literal(v)}`)
    .join(', ')} }`;
}

/** The same value as JSON for variables (enums as their names). */
function json(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(json);
  if (value && typeof value === 'object') {
    if ('enum' in value && Object.keys(value).length === 1) return (value as { enum: string }).enum;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, json(v)]));
  }
  return value;
}

interface Built {
  text: string;
  variables: { name: string; type: string; value: unknown }[];
}

function selection(schema: GraphQLSchema, type: GraphQLNamedType, depth: number, maxDepth: number): fc.Arbitrary<Built> {
  if (isObjectType(type) || isInterfaceType(type)) {
    const fields = Object.values(type.getFields());
    const scalarish = fields.filter((f) => !f.args.length && !isComposite(getNamedType(f.type)));
    if (depth >= maxDepth) {
      return fc.constant({ text: scalarish.length ? `{ __typename ${scalarish[0]!.name} }` : '{ __typename }', variables: [] });
    }
    return fc
      .uniqueArray(fc.constantFrom(...fields), { minLength: 1, maxLength: Math.min(4, fields.length), selector: (f) => f.name })
      .chain((chosen) => fc.tuple(...chosen.map((f) => fieldSelection(schema, f, depth + 1, maxDepth))))
      .map((parts) => ({ text: `{ __typename ${parts.map((p) => p.text).join(' ')} }`, variables: parts.flatMap((p) => p.variables) }));
  }
  if (isUnionType(type)) {
    return fc
      .subarray(type.getTypes() as GraphQLNamedType[], { minLength: 1, maxLength: 3 })
      .chain((members) => fc.tuple(...members.map((m) => selection(schema, m, depth + 1, maxDepth).map((s) => ({ ...s, text: `... on ${m.name} ${s.text}` })))))
      .map((parts) => ({ text: `{ __typename ${parts.map((p) => p.text).join(' ')} }`, variables: parts.flatMap((p) => p.variables) }));
  }
  return fc.constant({ text: '', variables: [] });
}

const isComposite = (t: GraphQLNamedType) => isObjectType(t) || isInterfaceType(t) || isUnionType(t);

let variableCounter = 0;

function fieldSelection(schema: GraphQLSchema, field: GraphQLField<any, any>, depth: number, maxDepth: number): fc.Arbitrary<Built> {
  const args = fc.record(
    Object.fromEntries(
      field.args.map((a) => [
        a.name,
        fc.record({ value: valueFor(a.type, a.name, 0), asVariable: fc.boolean() }),
      ]),
    ),
    { requiredKeys: field.args.filter((a) => isNonNullType(a.type)).map((a) => a.name) },
  );
  const named = getNamedType(field.type);
  const sub = isComposite(named) ? selection(schema, named, depth, maxDepth) : fc.constant<Built>({ text: '', variables: [] });
  return fc.tuple(args, sub, fc.boolean()).map(([chosen, inner, aliased]) => {
    const variables: Built['variables'] = [...inner.variables];
    const parts: string[] = [];
    for (const [name, { value, asVariable }] of Object.entries(chosen as Record<string, { value: unknown; asVariable: boolean }>)) {
      const arg = field.args.find((a) => a.name === name)!;
      if (asVariable) {
        const variable = `v${variableCounter++}`;
        variables.push({ name: variable, type: String(arg.type), value: json(value) });
        parts.push(`${name}: $${variable}`);
      } else {
        parts.push(`${name}: ${literal(value)}`);
      }
    }
    const alias = aliased ? `a${variableCounter++}: ` : '';
    return { text: `${alias}${field.name}${parts.length ? `(${parts.join(', ')})` : ''} ${inner.text}`, variables };
  });
}

/** A whole operation on one root type, or one of the shapes the limits exist for. */
export function operationArbitrary(schema: GraphQLSchema): fc.Arbitrary<FuzzOperation> {
  const roots = (
    [
      ['query', schema.getQueryType()],
      ['mutation', schema.getMutationType()],
      ['subscription', schema.getSubscriptionType()],
    ] as const
  ).filter(([, type]) => type);
  const random = fc
    .tuple(fc.constantFrom(...roots), fc.integer({ min: 1, max: 5 }))
    .chain(([[kind, type], maxDepth]) =>
      fc
        .uniqueArray(fc.constantFrom(...Object.values(type!.getFields())), { minLength: 1, maxLength: kind === 'subscription' ? 1 : 3, selector: (f) => f.name })
        .chain((fields) => fc.tuple(...fields.map((f) => fieldSelection(schema, f, 1, maxDepth))))
        .map((parts) => toOperation(kind, parts)),
    );
  const manyAliases = fc.integer({ min: 25, max: 60 }).map((n) => ({
    kind: 'query' as const,
    query: `{ ${Array.from({ length: n }, (_, i) => `a${i}: checkpoints(first: 500) { totalCount edges { node { id name } } }`).join(' ')} }`,
  }));
  const deep = fc.integer({ min: 5, max: 40 }).map((n) => ({ kind: 'query' as const, query: `{ areas(first: 5) { edges { node { ${'parent { '.repeat(n)}id${' }'.repeat(n)} } } } }` }));
  return fc.oneof({ weight: 12, arbitrary: random }, { weight: 1, arbitrary: manyAliases }, { weight: 1, arbitrary: deep });
}

function toOperation(kind: FuzzOperation['kind'], parts: Built[]): FuzzOperation {
  const variables = parts.flatMap((p) => p.variables);
  const declared = variables.length ? `(${variables.map((v) => `$${v.name}: ${v.type}`).join(', ')})` : '';
  return {
    kind,
    query: `${kind} Fuzz${declared} { ${parts.map((p) => p.text).join(' ')} }`,
    variables: variables.length ? Object.fromEntries(variables.map((v) => [v.name, v.value])) : undefined,
  };
}

/** Requests that are not well-formed GraphQL-over-HTTP at all. */
export const malformedRequest = fc.oneof(
  fc.constantFrom(
    { method: 'POST', body: '', contentType: 'application/json' },
    { method: 'POST', body: '{', contentType: 'application/json' },
    { method: 'POST', body: '[]', contentType: 'application/json' },
    { method: 'POST', body: '[{"query":"{ __typename }"},{"query":"{ __typename }"}]', contentType: 'application/json' },
    { method: 'POST', body: '{"query": 5}', contentType: 'application/json' },
    { method: 'POST', body: '{"query": "{ __typename }", "variables": "x"}', contentType: 'application/json' },
    { method: 'POST', body: '{"query": "{ __typename }", "variables": [1]}', contentType: 'application/json' },
    { method: 'POST', body: '{"query": "{ __typename }", "extensions": 7}', contentType: 'application/json' },
    { method: 'POST', body: '{"query": "{ __typename }", "operationName": {}}', contentType: 'application/json' },
    { method: 'POST', body: '{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "nope"}}}', contentType: 'application/json' },
    { method: 'POST', body: '{}', contentType: 'application/json' },
    { method: 'POST', body: 'null', contentType: 'application/json' },
    { method: 'POST', body: '"{ __typename }"', contentType: 'application/json' },
    { method: 'POST', body: 'query=%7B__typename%7D', contentType: 'application/x-www-form-urlencoded' },
    { method: 'POST', body: '{ __typename }', contentType: 'application/graphql' },
    { method: 'POST', body: '{ __typename }', contentType: 'text/plain' },
    { method: 'POST', body: '\u0000\u0001\u0002', contentType: 'application/json' },
    { method: 'PUT', body: '{"query":"{ __typename }"}', contentType: 'application/json' },
    { method: 'DELETE', body: '', contentType: 'application/json' },
    { method: 'PATCH', body: '{}', contentType: 'application/json' },
  ),
  fc.string({ unit: 'binary', maxLength: 200 }).map((body) => ({ method: 'POST', body, contentType: 'application/json' })),
  fc.json({ maxDepth: 3 }).map((body) => ({ method: 'POST', body, contentType: 'application/json' })),
);

/** GET query strings, well-formed or not. */
export const malformedQueryString = fc.oneof(
  fc.constantFrom(
    '',
    '?query=',
    '?query=%7B',
    '?query={__typename}&variables=x',
    '?query={__typename}&variables={',
    '?query={__typename}&extensions=[',
    '?query={__typename}&variables=null',
    '?query={__typename}&variables=[1]',
    '?query=mutation{__typename}',
    '?query=subscription{__typename}',
    '?query={__typename}&operationName=Nope',
    '?query={__typename}&query={__typename}',
    '?variables=%7B%7D',
    '?query=%00',
    '?%E0%A4%A=1',
    `?query=${'%7B'.repeat(3000)}`,
  ),
  fc.string({ maxLength: 80 }).map((s) => `?query=${encodeURIComponent(s)}&variables=${encodeURIComponent(s)}`),
);
