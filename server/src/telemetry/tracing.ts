import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace, type TracerProvider } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * OpenTelemetry traces, off unless the standard variables ask for them: an OTLP endpoint
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), not switched off by
 * `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none`. The exporter (OTLP over HTTP) and the
 * batch processor read the rest of `OTEL_*` themselves (headers, timeouts, batch delay); the
 * service is `OTEL_SERVICE_NAME`, default "fangkong".
 *
 * Spans: one per GraphQL operation (@envelop/opentelemetry; no variables, results or resolver
 * spans: variables may hold personal data) and one per SQL statement under it (the statement's
 * text has only placeholders, never values). An incoming W3C `traceparent` makes them children of
 * the caller's trace.
 */
export interface Tracing {
  provider: TracerProvider;
  /** Starts a span for one SQL statement under the active span; returns its end. */
  statement(sql: string): (error?: unknown) => void;
  /** Sends what is buffered and stops. */
  shutdown(): Promise<void>;
}

export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): Tracing | null {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return null;
  if (!env.OTEL_EXPORTER_OTLP_ENDPOINT && !env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return null;
  const provider = new NodeTracerProvider({
    resource: new Resource({ 'service.name': env.OTEL_SERVICE_NAME || 'fangkong' }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  // The async-hooks context manager (spans follow promises) and W3C trace-context propagation.
  provider.register();
  const tracer = provider.getTracer('fangkong');
  return {
    provider,
    statement(sql) {
      const parent = context.active();
      if (!trace.getSpan(parent)) return () => {};
      const span: Span = tracer.startSpan('db.statement', { kind: SpanKind.CLIENT, attributes: { 'db.system': 'postgresql', 'db.statement': sql } }, parent);
      return (error) => {
        if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        span.end();
      };
    },
    shutdown: () => provider.shutdown(),
  };
}

/** What every log line written while serving a request carries (logger.ts mixes it in). */
export interface RequestScope {
  requestId: string;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/** A caller's own request id is kept when it looks like one (letters, digits, `-_.:`, ≤ 64); otherwise one is made. */
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
}

/** Runs the handling of a request with its id in scope and, when it sent one, the caller's trace context active. */
export function inRequestScope<T>(headers: Record<string, string | string[] | undefined>, requestId: string, run: () => T): T {
  const carrier = headers.traceparent ? headers : undefined;
  const active = carrier ? propagation.extract(ROOT_CONTEXT, carrier) : context.active();
  return requestScope.run({ requestId }, () => context.with(active, run));
}

/** The trace id of the active span, when tracing is on. */
export function activeTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  const id = span?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}
