import { type Cache, type CacheEntityRecord, createInMemoryCache, resultWithMetadata, useResponseCache as useEnvelopResponseCache } from '@envelop/response-cache';
import { createRedisCache } from '@envelop/response-cache-redis';
import { createHash } from 'node:crypto';
import { PERSONAL_FIELDS, type CommittedEvent, type OutboxEvent, type Viewer } from '@fangkong/schema';
import { today } from '@fangkong/zone';
import { type ExecutionResult, getOperationAST, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import { evictedBy } from '../live/cache-eviction.ts';
import { accessKey, stable } from '../auth/access-key.ts';
import type { RequestAuthenticator } from '../auth/authentication.ts';
import type { ServerContext } from './guard.ts';

/**
 * Answers to queries kept until the outbox says they changed (README, The API: the response cache).
 *
 * What is kept: queries over HTTP whose root fields are all in CACHED_ROOT_FIELDS, without errors,
 * without a field that reads the clock beyond the local day (`isStale`), without personal data
 * (the types of PERSONAL_FIELDS are never kept, for any scope). For whom: an answer is keyed by the
 * document, operation name, variables and the caller's access as the schema decides it — role,
 * scope, the compounds of a health token's areas — and the zone's local day (for `today` and
 * day-less `zoneSummary`); tokens with the same access share answers, others never do (the same
 * key as live subscriptions share executions, live/shared-execution.ts).
 *
 * How it stays fresh: each entry records the outbox position it reflects (`asOfSeq`: the last
 * event this instance had read when the query began, so it never claims more) and the types of
 * the objects it holds. An event evicts the entries holding the types it changes
 * (live/cache-eviction.ts): at once on the instance that committed it (a mutation answers only
 * after its events' entries are gone from the shared store), and on every instance as its outbox
 * follower reads it. Between the two, an entry stored by a query that raced an event is refused
 * by any instance that has seen a newer event touching its types, so an answer served is never
 * older than the last event the serving instance has seen.
 *
 * Mutations and subscriptions are never kept (a mutation's own result evicts nothing: the outbox
 * decides). A kept answer is served once the request is authenticated and has taken its turn from
 * the token's rate limit (onParams below); answers are kept only by executions that passed every
 * check (the partner manifest, the read budget, scope-auth) without an error.
 */

/** Root query fields whose answers depend only on stored data the outbox reports, the variables and the local day. */
export const CACHED_ROOT_FIELDS = ['zoneSummary', 'checkpoints', 'checkpointSeries', 'productionSeries', 'productionLines', 'areas', 'enterprises', 'products', 'meetings'] as const;

/** Yoga's GraphQL endpoint (yoga.ts): the only path whose answers are kept. */
const GRAPHQL_ENDPOINT = '/graphql';

/** Fields that read the clock beyond the local day: an answer selecting one is not kept. */
const CLOCK_FIELDS = ['Checkpoint.isStale', 'ProductionLine.utilization'];

/** The extension carrying what the entry needs to be checked; never sent. */
const ENTRY = 'fangkongCacheEntry';

interface EntryMeta {
  /** The outbox position the answer reflects, at least. */
  seq: string;
  /** The type names of the objects it holds. */
  types: string[];
  /** The operation's name, for the metrics of answers served without executing. */
  operation?: string;
}

export interface ResponseCacheOptions {
  /** The outbox as this instance follows it (live/outbox-follower.ts). */
  follower: { readonly lastSeq: bigint; onEvents(listener: (events: OutboxEvent[]) => void): () => void };
  /** Shared store of every instance; absent: in this process's memory. */
  redis?: Redis;
  /** Prefix of the shared store's keys (instances of one deployment share it). @default "fangkong:" */
  prefix?: string;
  /** Entries kept in memory at most (least recently used go first). @default 1000 */
  maxEntries?: number;
  /** The longest an entry is kept even if nothing evicts it (a bound on the store, not on freshness). @default 3600000 */
  maxAgeMs?: number;
  /** The server's clock and the zone's time zone: answers are kept per local day. */
  now: () => Date;
  timeZone: string;
  /** Takes one operation from a token's rate limit; false when it has none left (auth/rate-limit.ts). */
  take(tokenId: string): Promise<boolean>;
  /** Told of each operation answered from the cache (metrics: such operations never execute). */
  onHit?(operationName: string | undefined): void;
}

export interface ResponseCache {
  /** The plugin, given how requests are authenticated (the same answer the other checks get). */
  plugin(authenticate: RequestAuthenticator): Plugin;
  /** Evicts what a just-committed event changed; mutations wait for it before they answer. */
  committed(event: Pick<CommittedEvent, 'seq' | 'type'>): void;
  close(): void;
}

export function createResponseCache(schema: GraphQLSchema, options: ResponseCacheOptions): ResponseCache {
  const prefix = options.prefix ?? 'fangkong:';
  /** Per type name, the newest event that changed it, as this instance knows. */
  const touched = new Map<string, bigint>();
  const pending = new Set<Promise<void>>();
  /** Events already evicted when committed here, so the follower does not evict them again. */
  const evictedHere = new Set<bigint>();

  const store = wrap(
    options.redis
      ? createRedisCache({
          redis: options.redis,
          buildRedisEntityId: (typename, id) => `${typename}:${id}`,
          buildRedisOperationResultCacheKey: (responseId) => `${prefix}response-cache:types:${responseId}`,
        })
      : createInMemoryCache({ max: options.maxEntries ?? 1000 }),
  );

  /** Each entry as it is served (without its private part), once per entry kept in memory. */
  const answers = new WeakMap<object, ExecutionResult>();
  /** Each served answer marked as a hit, serialised once however often it is served. */
  const hits = new WeakMap<object, ExecutionResult>();
  const hitOf = (answer: ExecutionResult): ExecutionResult => {
    let hit = hits.get(answer);
    if (!hit) {
      const made = resultWithMetadata(answer, { hit: true }) as ExecutionResult;
      let text: string | undefined;
      // Yoga serialises a result with its `stringify` when it has one; a copy (errors, http headers) is serialised as usual.
      Object.defineProperty(made, 'stringify', { value: (value: unknown) => (value === made ? (text ??= JSON.stringify(made)) : JSON.stringify(value)), enumerable: false });
      hits.set(answer, made);
      hit = made;
    }
    return hit;
  };

  function wrap(inner: Cache): Cache {
    // Type names are prefixed in the shared store: the Redis store keeps one set per type name. The
    // prefixed name holds a colon, which also tells the store it names no single object, so evicting
    // it never runs `KEYS <type>:*` over the whole keyspace (response-cache.test checks).
    const named = (types: Iterable<string>): CacheEntityRecord[] => [...types].map((typename) => ({ typename: options.redis ? `${prefix}response-cache:${typename}` : typename }));
    return {
      set(id, result, entities, ttl) {
        // The store's entities are objects with ids and the types of empty lists; the rest were read here.
        const types = [...new Set([...(heldTypes.get(result) ?? []), ...[...entities].map((entity) => entity.typename)])];
        const seq = String((result.extensions?.responseCache as { asOfSeq?: string } | undefined)?.asOfSeq ?? '0');
        const meta: EntryMeta = { seq, types, operation: operationNames.get(result) };
        return Promise.resolve(inner.set(id, { ...result, extensions: { ...result.extensions, [ENTRY]: meta } }, named(types), ttl)).catch(() => {});
      },
      async get(id) {
        // A store that does not answer (Redis away) is a miss: the query runs as if nothing were kept.
        const entry = await Promise.resolve(inner.get(id)).catch(() => null);
        if (!entry) return null;
        const meta = (entry.extensions as { [ENTRY]?: EntryMeta } | undefined)?.[ENTRY];
        if (!meta || isStale(meta)) return null;
        let answer = answers.get(entry);
        if (!answer) {
          const { [ENTRY]: _meta, ...extensions } = entry.extensions as Record<string, unknown>;
          answer = { ...entry, extensions };
          answers.set(entry, answer);
          if (meta.operation) operationNames.set(answer, meta.operation);
        }
        return answer;
      },
      // A mutation's result evicts nothing: the outbox decides (evict below).
      invalidate() {},
      evict: (types: Iterable<string>) => inner.invalidate(named(types)),
    } as Cache & { evict(types: Iterable<string>): Promise<void> | void };
  }

  function isStale(meta: EntryMeta): boolean {
    const seq = BigInt(meta.seq);
    return meta.types.some((type) => (touched.get(type) ?? 0n) > seq) || (touched.get('Query') ?? 0n) > seq;
  }

  function evict(event: Pick<OutboxEvent, 'seq' | 'type'>): Promise<void> {
    const types = evictedBy(event.type);
    for (const type of types) if ((touched.get(type) ?? 0n) < event.seq) touched.set(type, event.seq);
    const done = Promise.resolve((store as Cache & { evict(types: Iterable<string>): Promise<void> | void }).evict(types)).catch(() => {
      // The store is unreachable: entries it still holds are refused by `touched` on this instance,
      // and by each other instance once it reads the event.
    });
    pending.add(done);
    void done.finally(() => pending.delete(done));
    return done;
  }

  const unfollow = options.follower.onEvents((events) => {
    for (const event of events) {
      if (evictedHere.delete(event.seq)) continue;
      void evict(event);
    }
  });

  const ttlPerSchemaCoordinate: Record<string, number> = {};
  const cached = new Set<string>(CACHED_ROOT_FIELDS);
  for (const field of Object.keys(schema.getQueryType()?.getFields() ?? {})) if (!cached.has(field)) ttlPerSchemaCoordinate[`Query.${field}`] = 0;
  for (const coordinate of CLOCK_FIELDS) ttlPerSchemaCoordinate[coordinate] = 0;

  /** The outbox position each query began at. */
  const began = new WeakMap<object, bigint>();
  /** The type names of the objects each answer holds, for the store (objects without an id are not indexed by it). */
  const heldTypes = new WeakMap<object, Set<string>>();
  /** The operation each answer is of (an anonymous request names none of its own). */
  const operationNames = new WeakMap<object, string>();

  const stamp: Plugin = {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      if (operation === 'mutation') {
        // Answer a write only once what its events changed is gone from the store every instance reads.
        return { onExecuteDone: () => Promise.all([...pending]).then(() => undefined) };
      }
      if (!cacheable(args.contextValue as unknown as ServerContext)) return;
      began.set(args.contextValue as object, options.follower.lastSeq);
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const single = result as ExecutionResult;
          const responseCache = single.extensions?.responseCache as Record<string, unknown> | undefined;
          if (responseCache?.asOfSeq !== undefined) return;
          const seq = began.get(args.contextValue as object) ?? 0n;
          const stamped = { ...single, extensions: { ...single.extensions, responseCache: { ...responseCache, asOfSeq: String(seq) } } };
          heldTypes.set(stamped, typesIn(single.data));
          const name = getOperationAST(args.document, args.operationName)?.name?.value;
          if (name) operationNames.set(stamped, name);
          setResult(stamped);
        },
      };
    },
  };

  /** An answer that is not kept says nothing about the cache: its bytes stay what they were without one. */
  const untouched: Plugin = {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          const single = result as ExecutionResult;
          const kept = single.extensions?.responseCache as { hit?: boolean; didCache?: boolean } | undefined;
          if (!kept || kept.hit || kept.didCache) return;
          const { responseCache: _notKept, ...extensions } = single.extensions as Record<string, unknown>;
          setResult({ ...single, extensions: Object.keys(extensions).length ? extensions : undefined });
        },
      };
    },
  };

  const sessionOf = (viewer: Viewer) =>
    JSON.stringify([...accessKey(viewer), today(options.now(), options.timeZone).day]);
  /** The same key from a request's parameters and from an execution's (which carries them): the text as sent, never a reprint. */
  const keyOf = (query: string, operationName: string | null | undefined, variables: unknown, session: string) =>
    `${prefix}response-cache:${createHash('sha256').update(JSON.stringify([query, operationName ?? null, stable(variables ?? {}), session])).digest('base64url')}`;

  const plugin = (authenticate: RequestAuthenticator): Plugin => ({
    /**
     * A kept answer is served as soon as the request's parameters are read, before parsing: the
     * caller was authenticated before that (plugins/use-authentication.ts) and takes one operation
     * from its rate limit here. The other checks need not run again: the key holds the exact text,
     * variables and access of an operation that passed them all (the partner manifest, the read
     * budget) and was answered without an error. Anything else goes on as usual, and is kept by the
     * execution below.
     */
    async onParams({ params, request, setResult }) {
      if (typeof params.query !== 'string' || (request.method !== 'GET' && request.method !== 'POST') || !plainGraphqlRequest(request)) return;
      const { viewer } = await authenticate(request);
      if (!viewer) return;
      const entry = await store.get(keyOf(params.query, params.operationName, params.variables, sessionOf(viewer)));
      if (!entry || !(await options.take(viewer.tokenId))) return;
      options.onHit?.(params.operationName ?? operationNames.get(entry));
      setResult(hitOf(entry));
    },
    // A kept answer read with GET (a persisted partner operation, say) can be revalidated by proxies
    // and browsers: its ETag is a hash of its data, and `no-cache` makes them ask each time, which
    // passes every check above and costs no execution when the answer is still kept. `private`:
    // answers depend on the token.
    onResultProcess({ request, result, setResult, setResultProcessor }) {
      if (request.method !== 'GET' || Array.isArray(result) || Symbol.asyncIterator in result) return;
      const single = result as ExecutionResult;
      const kept = single.extensions?.responseCache as { hit?: boolean; didCache?: boolean } | undefined;
      if (!kept || !(kept.hit || kept.didCache) || single.errors?.length) return;
      const etag = `"${createHash('sha256').update(JSON.stringify(single.data)).digest('base64url')}"`;
      const headers = { etag, 'cache-control': 'private, no-cache' };
      if (request.headers.get('if-none-match')?.split(/\s*,\s*/).includes(etag)) {
        setResultProcessor((_result, fetchAPI) => new fetchAPI.Response(null, { status: 304, headers }), 'application/json');
        return;
      }
      const http = single.extensions?.http as { headers?: Record<string, string> } | undefined;
      setResult({ ...single, extensions: { ...single.extensions, http: { ...http, headers: { ...http?.headers, ...headers } } } });
    },
    onPluginInit({ addPlugin }) {
      addPlugin(stamp);
      addPlugin(
        useEnvelopResponseCache<ServerContext>({
          cache: store,
          session: (ctx) => sessionOf(ctx.viewer!),
          enabled: cacheable,
          ttl: options.maxAgeMs ?? 3_600_000,
          ttlPerSchemaCoordinate,
          ignoredTypes: Object.keys(PERSONAL_FIELDS),
          // The key is made here, with the scope and a prefix shared by the deployment's instances,
          // from the request's own text and variables, as onParams makes it.
          buildResponseCacheKey: ({ documentString, operationName, variableValues, sessionId, context }) => {
            const params = (context as { params?: { query?: string; operationName?: string; variables?: unknown } }).params;
            return keyOf(params?.query ?? documentString, params?.query ? params.operationName : operationName, params?.query ? params.variables : variableValues, sessionId ?? '');
          },
          shouldCacheResult: ({ result }) => !result.errors?.length,
          includeExtensionMetadata: true,
        }) as unknown as Plugin,
      );
      addPlugin(untouched);
    },
  });

  return {
    plugin,
    committed(event) {
      evictedHere.add(event.seq);
      void evict(event);
    },
    close() {
      unfollow();
    },
  };
}

/**
 * Only plain HTTP requests to the GraphQL endpoint by a known caller. Not WebSocket (no request),
 * not SSE: graphql-sse's streams (/graphql/stream) deliver an operation's result on the stream it
 * was sent for, never in the answer to the request, and event streams on /graphql are Yoga's own.
 */
function cacheable(ctx: ServerContext): boolean {
  const request = (ctx as ServerContext & { request?: Request }).request;
  return !!ctx.viewer && !!request && plainGraphqlRequest(request);
}

const plainGraphqlRequest = (request: Request): boolean =>
  new URL(request.url).pathname === GRAPHQL_ENDPOINT && !request.headers.get('accept')?.includes('text/event-stream');

/**
 * The type names of every object in an answer, as the cache's execution asks for them
 * (`__responseCacheTypeName`, or `__typename` when the query selects it itself).
 */
function typesIn(data: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(data)) {
    for (const item of data) typesIn(item, into);
  } else if (data && typeof data === 'object') {
    const record = data as Record<string, unknown>;
    const type = record.__responseCacheTypeName ?? record.__typename;
    if (typeof type === 'string') into.add(type);
    for (const key in record) {
      const value = record[key];
      if (value && typeof value === 'object') typesIn(value, into);
    }
  }
  return into;
}

