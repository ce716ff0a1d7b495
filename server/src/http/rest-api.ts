import { ErrorCode } from '@fangkong/zone';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type GraphQLInputType, type GraphQLSchema, getNamedType, isListType, isNonNullType, Kind, type OperationDefinitionNode, parse, typeFromAST } from 'graphql';
import type { PersistedOperations } from '../auth/persisted-operations.ts';
import type { FangkongYoga } from '../yoga.ts';
import { openApiDocument, type RestRoute } from './openapi.ts';

export interface RestApiOptions {
  /** Where the routes live. @default "/api/v1" */
  basePath?: string;
}

// The published partner operations as REST (GET only): `GET /api/v1/zone-summary?day=2020-02-07`
// runs the persisted `PartnerZoneSummary` with those variables through the GraphQL endpoint itself,
// with the caller's Authorization header. So a route passes every plugin GraphQL does, in the same
// order (token, rate limit, the partner persisted-only rule, read budget, audit of denials), and
// answers the same data: the value of the operation's root field. Sofa (`@graphql-yoga/plugin-sofa`)
// was the first choice, but it serves documents it builds from the schema's fields, not the published
// ones: the persisted-only rule refuses those to partners, and its answers would carry other fields
// than the manifest's. `/api/v1/openapi.json` describes the routes (openapi.ts).

/** "PartnerZoneSummary" → "/zone-summary" */
const routePath = (name: string) => `/${name.replace(/^Partner/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;

export function restRoutes(persisted: PersistedOperations): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const query of persisted.byHash.values()) {
    const operation = parse(query).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    const root = operation?.selectionSet.selections[0];
    if (operation?.operation !== 'query' || !operation.name || operation.selectionSet.selections.length !== 1 || root?.kind !== Kind.FIELD) continue;
    routes.push({ path: routePath(operation.name.value), operation, query, rootKey: root.alias?.value ?? root.name.value });
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path));
}

/** HTTP status of an answer whose errors came with status 200 (field errors): by their code. */
const STATUS_BY_CODE: Record<string, number> = {
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.PersistedQueryOnly]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.BadUserInput]: 400,
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.QueryTooCostly]: 400,
  [ErrorCode.DatabaseUnavailable]: 503,
  [ErrorCode.StatementTimeout]: 503,
  [ErrorCode.ServerBusy]: 503,
};

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

const refusal = (message: string, code: string) => ({ errors: [{ message, extensions: { code } }] });

/** Query parameters → the operation's variables, by each variable's type (yoga checks the values). */
function variablesOf(schema: GraphQLSchema, operation: OperationDefinitionNode, params: URLSearchParams): Record<string, unknown> | string {
  const defined = new Map((operation.variableDefinitions ?? []).map((v) => [v.variable.name.value, typeFromAST(schema, v.type) as GraphQLInputType]));
  const variables: Record<string, unknown> = {};
  for (const name of new Set(params.keys())) {
    const type = defined.get(name);
    if (!type) return `unknown parameter "${name}"; this route takes ${[...defined.keys()].join(', ') || 'none'}`;
    const inner = isNonNullType(type) ? type.ofType : type;
    const scalar = (raw: string) => {
      const named = getNamedType(inner).name;
      if (named === 'Int' || named === 'Float') return raw.trim() === '' ? raw : Number(raw);
      if (named === 'Boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
      return raw;
    };
    variables[name] = isListType(inner) ? params.getAll(name).flatMap((v) => v.split(',')).filter(Boolean).map(scalar) : scalar(params.get(name)!);
  }
  return variables;
}

/** The REST routes and their OpenAPI document; `handle` answers a request under the base path (false: not ours). */
export function createRestApi(yoga: FangkongYoga, schema: GraphQLSchema, persisted: PersistedOperations, { basePath = '/api/v1' }: RestApiOptions = {}) {
  const routes = new Map(restRoutes(persisted).map((route) => [route.path, route]));
  const document = openApiDocument(schema, [...routes.values()], basePath);

  /** The answer to one request under the base path. */
  async function answer(req: IncomingMessage, url: URL): Promise<{ status: number; body: unknown; headers?: Record<string, string> }> {
    const path = url.pathname.slice(basePath.length);
    if (path === '/openapi.json' && req.method === 'GET') return { status: 200, body: document };
    const route = routes.get(path);
    if (!route) return { status: 404, body: refusal(`no route ${url.pathname}; see ${basePath}/openapi.json`, ErrorCode.NotFound) };
    if (req.method !== 'GET') return { status: 405, body: refusal('routes answer GET', ErrorCode.BadRequest), headers: { allow: 'GET' } };
    const variables = variablesOf(schema, route.operation, url.searchParams);
    if (typeof variables === 'string') return { status: 400, body: refusal(variables, ErrorCode.BadUserInput) };

    const response = await yoga.fetch(
      'http://localhost/graphql',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        },
        body: JSON.stringify({ query: route.query, variables, operationName: route.operation.name!.value }),
      },
      { req },
    );
    const result = (await response.json()) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
    const retryAfter = response.headers.get('retry-after');
    const headers: Record<string, string> = retryAfter ? { 'retry-after': retryAfter } : {};
    if (!result.errors?.length) return { status: 200, body: result.data?.[route.rootKey] ?? null, headers };
    const status = response.status >= 400 ? response.status : Math.max(...result.errors.map((e) => STATUS_BY_CODE[e.extensions?.code ?? ''] ?? 500));
    return { status, body: { errors: result.errors }, headers };
  }

  return {
    document,
    /** Answers a request under the base path; false when the path is not under it. */
    async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== basePath && !url.pathname.startsWith(`${basePath}/`)) return false;
      const { status, body, headers } = await answer(req, url);
      send(res, status, body, headers);
      return true;
    },
  };
}
