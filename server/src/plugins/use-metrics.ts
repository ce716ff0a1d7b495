import { type DocumentNode, type GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Metrics } from '../telemetry/metrics.ts';
import type { ServerContext } from './guard.ts';

/** A subscription's root field (`zoneSummary`, `events`, …): one label value per field of the schema. */
function rootField(document: DocumentNode, operationName?: string | null): string {
  const operation = getOperationAST(document, operationName);
  const first = operation?.selectionSet.selections[0];
  return first?.kind === 'Field' ? first.name.value : 'unknown';
}

/** Over HTTP (Yoga's SSE, or graphql-sse's streams) the context holds the request; a WebSocket's holds none. */
const transportOf = (context: unknown): string => ((context as ServerContext & { request?: Request }).request ? 'sse' : 'websocket');

/**
 * Operation metrics into the server's registry: Yoga's Prometheus plugin for durations and errors
 * per phase and operation, plus the subscriptions running and the messages they send, per
 * transport. Errors by code are counted where their code is final, as they are masked (yoga.ts). The registry is served by the metrics listener, not under /graphql.
 */
export function useMetrics(metrics: Metrics): Plugin {
  const prometheus = usePrometheus({
    registry: metrics.registry,
    endpoint: false,
    // Introspection is GraphiQL's housekeeping, not traffic worth watching.
    skipIntrospection: true,
    // Operation names are chosen by callers: persisted and client operations keep the set small;
    // anything else is "anonymous" or its name, which an operator can relabel or drop.
    labels: { operationName: true, operationType: true, phase: true, path: false },
    metrics: {
      graphql_envelop_request_time_summary: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
      graphql_yoga_http_duration: false,
    },
  });
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(prometheus);
    },
    // Over HTTP every answer passes here once, refusals before execution included, with its final
    // codes; a stream's events are left out (its refusal, if any, is a single result). WebSockets
    // count theirs in the transport (transports/websocket.ts).
    onResultProcess({ result }) {
      for (const single of Array.isArray(result) ? result : [result]) {
        if (single && typeof single === 'object' && 'errors' in single) countErrors(metrics, single.errors as readonly GraphQLError[] | undefined);
      }
    },
    onSubscribe({ args }) {
      const labels = { field: rootField(args.document, args.operationName), transport: transportOf(args.contextValue) };
      return {
        onSubscribeResult({ result }) {
          if (!(Symbol.asyncIterator in (result as object))) return;
          metrics.subscriptions.inc(labels);
          let ended = false;
          return {
            onNext: () => void metrics.messagesSent.inc({ transport: labels.transport }),
            onEnd: () => {
              if (ended) return;
              ended = true;
              metrics.subscriptions.dec(labels);
            },
          };
        },
      };
    },
  };
}

/** Errors answered to a caller, by their code (as the caller sees it). */
export function countErrors(metrics: Metrics, errors: readonly { extensions?: Record<string, unknown> }[] | undefined): void {
  for (const error of errors ?? []) metrics.errors.inc({ code: String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') });
}
