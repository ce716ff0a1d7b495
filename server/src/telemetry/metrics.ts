import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Fangkong-specific metric, named and explained once. GraphQL operations themselves
 * (durations per phase, errors) are measured by Yoga's Prometheus plugin into the same registry
 * (plugins/use-metrics.ts); process metrics (CPU, heap, event-loop lag, GC) by prom-client's own.
 *
 * State that exists anyway (open sockets, the follower's position, the bus) is read when scraped,
 * through `observe`; only events are counted as they happen.
 */
export interface Metrics {
  readonly registry: Registry;
  /** Subscriptions running now, by root field and transport (websocket, sse). */
  readonly subscriptions: Gauge<'field' | 'transport'>;
  /** Results sent to subscribers, by transport: one per subscriber per update. */
  readonly messagesSent: Counter<'transport'>;
  /** Live values (shared aggregates) computed, and how long each took; `outcome` ok or failed. */
  readonly liveComputations: Histogram<'value' | 'outcome'>;
  /** Connections closed because their consumer could not keep up (4413). */
  readonly slowConsumersClosed: Counter<'transport'>;
  /** Operations refused by the per-token rate limit. */
  readonly rateLimited: Counter;
  /** Errors answered, by their final code (as the caller sees it). */
  readonly errors: Counter<'code'>;
  /** Operations answered from the response cache without executing, by operation name. */
  readonly cacheHits: Counter<'operationName'>;
}

/** What is read when Prometheus scrapes (each may be absent: metrics then leave it out). */
export interface ObservedState {
  /** The outbox's newest position every reader may have taken, and how many events this instance's follower has not yet dispatched. */
  outbox?: () => Promise<{ head: bigint; behind: number }>;
  /** The follower's last dispatched seq. */
  followerSeq?: () => bigint;
  /** WebSockets open now. */
  websockets?: () => number;
  /** The fan-out bus: its kind, and whether it is connected (always, in process). */
  bus?: () => { kind: string; connected: boolean };
  /** PostgreSQL pool: connections open, idle, and requests waiting for one. */
  pool?: () => { total: number; idle: number; waiting: number };
  /** Partner webhook endpoints: each one's state and lag. */
  webhooks?: () => Promise<WebhookState[]>;
}

interface WebhookState {
  id: string;
  label: string;
  status: string;
  attempts: number;
  lag: number;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // Node's standard names (process_cpu_seconds_total, nodejs_eventloop_lag_seconds, …), as dashboards for Node services expect them.
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    subscriptions: new Gauge({ name: 'fangkong_subscriptions_active', help: 'Subscriptions running now, by root field and transport', labelNames: ['field', 'transport'], registers }),
    messagesSent: new Counter({ name: 'fangkong_subscription_messages_sent_total', help: 'Results sent to subscribers (one per subscriber per update), by transport', labelNames: ['transport'], registers }),
    liveComputations: new Histogram({
      name: 'fangkong_live_value_computation_seconds',
      help: 'Live values computed once for all their subscribers, by value and outcome',
      labelNames: ['value', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    slowConsumersClosed: new Counter({ name: 'fangkong_slow_consumers_closed_total', help: 'Connections closed because their consumer could not keep up (4413)', labelNames: ['transport'], registers }),
    rateLimited: new Counter({ name: 'fangkong_rate_limited_total', help: 'Operations refused by the per-token rate limit', registers }),
    errors: new Counter({ name: 'fangkong_graphql_errors_total', help: 'Errors answered to callers, by code', labelNames: ['code'], registers }),
    cacheHits: new Counter({
      name: 'fangkong_response_cache_hits_total',
      help: 'Operations answered from the response cache, without executing (graphql_envelop_phase_execute counts the others), by operation name',
      labelNames: ['operationName'],
      registers,
    }),
  };
}

/** Registers gauges read at scrape time from the state the server keeps anyway. */
export function observe(metrics: Metrics, state: ObservedState): void {
  const registers = [metrics.registry];
  const { outbox, followerSeq, websockets, bus, pool, webhooks } = state;
  if (outbox) {
    const read = oncePerScrape(outbox);
    new Gauge({
      name: 'fangkong_outbox_head_seq',
      help: 'The newest outbox position every reader may have taken',
      registers,
      async collect() {
        const state = await read();
        if (state) this.set(Number(state.head));
        else this.reset();
      },
    });
    new Gauge({
      name: 'fangkong_outbox_follower_lag_events',
      help: "Events committed to the outbox that this instance's follower has not yet dispatched",
      registers,
      async collect() {
        const state = await read();
        if (state) this.set(state.behind);
        else this.reset();
      },
    });
  }
  if (followerSeq) {
    new Gauge({ name: 'fangkong_outbox_follower_seq', help: "This instance's follower: the last outbox seq it dispatched", registers, collect() { this.set(Number(followerSeq())); } });
  }
  if (websockets) {
    new Gauge({ name: 'fangkong_websocket_connections', help: 'WebSockets open now', registers, collect() { this.set(websockets()); } });
  }
  if (bus) {
    new Gauge({
      name: 'fangkong_bus_connected',
      help: 'Whether the fan-out bus is connected (1) or not (0), by kind (in-process, redis)',
      labelNames: ['kind'],
      registers,
      collect() {
        const { kind, connected } = bus();
        this.reset();
        this.set({ kind }, connected ? 1 : 0);
      },
    });
  }
  if (pool) {
    new Gauge({
      name: 'fangkong_database_pool_connections',
      help: 'PostgreSQL pool connections, by state (open, idle, waiting: requests waiting for one)',
      labelNames: ['state'],
      registers,
      collect() {
        const { total, idle, waiting } = pool();
        this.set({ state: 'open' }, total);
        this.set({ state: 'idle' }, idle);
        this.set({ state: 'waiting' }, waiting);
      },
    });
  }
  if (webhooks) {
    const read = oncePerScrape(webhooks);
    const perEndpoint = (name: string, help: string, pick: (endpoint: WebhookState) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['endpoint', 'label'],
        registers,
        async collect() {
          this.reset();
          for (const endpoint of (await read()) ?? []) this.set({ endpoint: endpoint.id, label: endpoint.label }, pick(endpoint));
        },
      });
    perEndpoint('fangkong_webhook_lag_events', 'Events of its types a partner webhook endpoint has not yet been delivered', (e) => e.lag);
    perEndpoint('fangkong_webhook_active', 'Whether a webhook endpoint delivers (1) or is paused (0)', (e) => (e.status === 'ACTIVE' ? 1 : 0));
    perEndpoint('fangkong_webhook_failed_attempts', 'Failed attempts at the next event of a webhook endpoint (0 while all is well)', (e) => e.attempts);
  }
}

/**
 * A database read shared by the gauges of one scrape (whichever is collected first starts it). A
 * failed read (the database down) leaves those gauges out of that scrape instead of failing it:
 * the rest of the figures matter most then.
 */
function oncePerScrape<T>(read: () => Promise<T>): () => Promise<T | null> {
  let pending: Promise<T | null> | null = null;
  return () => {
    pending ??= read()
      .catch(() => null)
      .finally(() => setImmediate(() => (pending = null)));
    return pending;
  };
}
