import {
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isAbstractType,
  Kind,
  typeFromAST,
  GraphQLObjectType,
} from 'graphql';

// The OpenAPI 3.1 description of the REST routes (rest-api.ts), made from the published operations
// themselves: each route's parameters are its operation's variables, its answer the JSON Schema of
// the operation's own selection (so the document says exactly what a partner gets, field by field,
// with the schema's descriptions).

type JsonSchema = Record<string, unknown>;

const SCALARS: Record<string, JsonSchema> = {
  String: { type: 'string' },
  ID: { type: 'string' },
  Boolean: { type: 'boolean' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Date: { type: 'string', format: 'date' },
  DateTime: { type: 'string', format: 'date-time' },
  Seq: { type: 'string', pattern: '^[0-9]+$', description: 'An outbox position (64-bit, as decimal text).' },
  JSONObject: { type: 'object' },
};

const nullable = (schema: JsonSchema): JsonSchema => ({ anyOf: [schema, { type: 'null' }] });

function scalarOrEnum(type: GraphQLNamedType): JsonSchema {
  if (isEnumType(type)) return { type: 'string', enum: type.getValues().map((v) => v.value as string) };
  return SCALARS[type.name] ?? { description: `${type.name} (custom scalar)` };
}

/** JSON Schema of a selection on an output type. */
function outputSchema(schema: GraphQLSchema, type: GraphQLOutputType, selection: SelectionSetNode | undefined, description?: string | null): JsonSchema {
  if (isNonNullType(type)) {
    const inner = outputSchema(schema, type.ofType, selection, description);
    const { anyOf, ...rest } = inner as { anyOf?: JsonSchema[] };
    return anyOf ? { ...anyOf[0], ...rest } : inner;
  }
  const described = (s: JsonSchema) => (description ? { ...s, description } : s);
  if (isListType(type)) return nullable(described({ type: 'array', items: outputSchema(schema, type.ofType, selection) }));
  const named = getNamedType(type)!;
  if (!selection) return nullable(described(scalarOrEnum(named)));
  const properties: Record<string, JsonSchema> = {};
  const collect = (set: SelectionSetNode, on: GraphQLObjectType | null) => {
    for (const node of set.selections) {
      if (node.kind === Kind.FIELD) {
        const key = node.alias?.value ?? node.name.value;
        if (node.name.value === '__typename') properties[key] = { type: 'string' };
        else if (on) {
          const field = on.getFields()[node.name.value];
          if (field) properties[key] = outputSchema(schema, field.type, node.selectionSet, field.description);
        }
      } else if (node.kind === Kind.INLINE_FRAGMENT) {
        const target = node.typeCondition ? schema.getType(node.typeCondition.name.value) : on;
        collect(node.selectionSet, target instanceof GraphQLObjectType ? target : null);
      }
    }
  };
  collect(selection, isObjectType(named) ? named : null);
  const object: JsonSchema = { type: 'object', properties, ...(isAbstractType(named) ? {} : { required: Object.keys(properties) }) };
  return nullable(described(object));
}

/** JSON Schema of a variable's type, as a query parameter carries it. */
function inputSchema(type: GraphQLInputType): JsonSchema {
  const inner = isNonNullType(type) ? type.ofType : type;
  if (isListType(inner)) return { type: 'array', items: inputSchema(inner.ofType) };
  if (isInputObjectType(inner)) return { type: 'string', description: `${inner.name} as JSON` };
  return scalarOrEnum(getNamedType(inner)!);
}

export interface RestRoute {
  /** Path below the base, e.g. "/zone-summary". */
  path: string;
  operation: OperationDefinitionNode;
  /** The operation's text, exactly as published. */
  query: string;
  /** The response key of its one root field: the REST answer is that field's value. */
  rootKey: string;
}

const ERROR_BODY: JsonSchema = {
  type: 'object',
  properties: {
    errors: {
      type: 'array',
      items: { type: 'object', properties: { message: { type: 'string' }, extensions: { type: 'object', properties: { code: { type: 'string' } } } }, required: ['message'] },
    },
  },
  required: ['errors'],
};

export function openApiDocument(schema: GraphQLSchema, routes: RestRoute[], basePath: string): JsonSchema {
  const query = schema.getQueryType()!;
  const paths: Record<string, unknown> = {};
  for (const route of routes) {
    const rootField = route.operation.selectionSet.selections[0];
    if (rootField?.kind !== Kind.FIELD) continue;
    const field = query.getFields()[rootField.name.value]!;
    paths[route.path] = {
      get: {
        operationId: route.operation.name!.value,
        summary: field.description ?? route.operation.name!.value,
        description: `The published operation \`${route.operation.name!.value}\` (its GraphQL text in x-graphql-operation); the answer is its \`${route.rootKey}\`.`,
        'x-graphql-operation': route.query,
        parameters: (route.operation.variableDefinitions ?? []).map((v) => {
          const type = typeFromAST(schema, v.type) as GraphQLInputType;
          const list = isListType(isNonNullType(type) ? type.ofType : type);
          return {
            name: v.variable.name.value,
            in: 'query',
            required: isNonNullType(type) && !v.defaultValue,
            ...(list ? { style: 'form', explode: false } : {}),
            schema: inputSchema(type),
          };
        }),
        responses: {
          '200': { description: 'The figures.', content: { 'application/json': { schema: outputSchema(schema, field.type, rootField.selectionSet, field.description) } } },
          '400': { description: 'A parameter is malformed or out of range, or the request asks for too much.', content: { 'application/json': { schema: ERROR_BODY } } },
          '401': { description: 'No token, or an unknown one.', content: { 'application/json': { schema: ERROR_BODY } } },
          '403': { description: 'A revoked token, or a role that may not read this.', content: { 'application/json': { schema: ERROR_BODY } } },
          '429': { description: 'Too many requests for this token this minute (Retry-After).', content: { 'application/json': { schema: ERROR_BODY } } },
          '503': { description: 'The database does not answer now; retry after Retry-After seconds.', content: { 'application/json': { schema: ERROR_BODY } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Fangkong partner API',
      version: '1',
      description: 'The published partner operations as REST: the same tokens, roles, rate limits and answers as GraphQL (POST /graphql).',
    },
    servers: [{ url: basePath }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token: `Authorization: Bearer fk_…`.' } } },
    paths,
  };
}
