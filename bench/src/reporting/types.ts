// The reporting benchmark's options and results, shared by the run (bench.ts) and its table (report.ts).
import type { CpuUse } from './cpu.ts';
import type { LoadResult } from './load.ts';
import type { SessionStates } from './sessions.ts';

/** The server's PostgreSQL pool (prisma/src/database.ts, `poolSize` default); the baselines get the same. */
export const SERVER_POOL_SIZE = 10;

export interface ReportingBenchOptions {
  /** Rounds; each runs every variant once, the order alternating. @default 5 */
  rounds?: number;
  /** Seconds of load per phase. @default 10 */
  seconds?: number;
  /** Requests in flight at once per writing instance, and for the baselines. @default 16 */
  concurrency?: number;
  /** Unmeasured load per variant before the first round (JIT, caches, pool). @default 3 */
  warmupSeconds?: number;
  /** Live subscribers attached to the servers (half on each) through every phase. @default 100 */
  subscribers?: number;
  /** A maintenance URL; the bench creates its own database beside it and drops it afterwards. @default $BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres */
  postgresUrl?: string;
  /** Redis for the two instances' bus. @default $BENCH_REDIS_URL or redis://127.0.0.1:6379 */
  redisUrl?: string;
  /** Progress lines. @default stderr */
  log?: (line: string) => void;
}

/**
 * ours: 16 writers through instance A. ours2: 16 writers through each of A and B. lockFree: raw `pg`,
 * the same three rows in one transaction, no lock. locked: the same with the old outbox lock held to
 * commit. plain: one autocommitted INSERT of the report alone (the floor).
 */
export type Variant = 'ours' | 'ours2' | 'lockFree' | 'locked' | 'plain';
export const VARIANTS: readonly Variant[] = ['ours', 'ours2', 'lockFree', 'locked', 'plain'];
export const API_VARIANTS: readonly Variant[] = ['ours', 'ours2'];

export interface Phase {
  round: number;
  variant: Variant;
  load: LoadResult;
  cpu: CpuUse;
  sessions: SessionStates;
  /** Rows found afterwards under this phase's idempotency keys, with their audit entries and events. */
  stored: { reports: number; audits: number; events: number };
  /** The 1-minute load average at the end of the phase. */
  loadAverage: number;
  /** Ours: 503s the server marked retryable, retried after Retry-After with the same key. */
  retried: number;
  problems: string[];
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  postgres: string;
  /** fsync and synchronous_commit: what a commit costs depends on them. */
  durability: string;
  redis: string;
}

/** One variant over all rounds: medians of the per-round figures, totals of the counts. */
export interface VariantSummary {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  ok: number;
  failures: number;
  machineBusy: number;
  /** CPU milliseconds per accepted report, by process; null where it could not be read. */
  benchMsPerReport: number;
  /** Both server instances together. */
  serverMsPerReport: number | null;
  /** Instance A and instance B alone. */
  serverAMsPerReport: number | null;
  serverBMsPerReport: number | null;
  postgresMsPerReport: number | null;
  /** Share of the machine busy with anything else (other processes, PostgreSQL's background workers). */
  otherShare: number;
  /** Mean sessions of this database in each state (medians over rounds). */
  sessions: Omit<SessionStates, 'samples'>;
  loadAverage: number;
  /** Retryable 503s, all rounds. */
  retried: number;
}

export type Ratio = 'lockFree' | 'scaling' | 'locked' | 'plain';

export interface SubscriberSummary {
  size: number;
  /** Subscriptions by kind: operation and how many (half on each instance). */
  kinds: { name: string; count: number }[];
  /** `events` deliveries expected (every event of the run to every `events` subscriber) and received. */
  eventsExpected: number;
  eventsDelivered: number;
  /** All deliveries to all subscribers over the run. */
  delivered: number;
  /** Results that carried only a retryable refusal (the database had no connection free within a second). */
  refusals: number;
  problems: string[];
}

export interface ReportingBenchResult {
  options: Required<Omit<ReportingBenchOptions, 'log' | 'postgresUrl' | 'redisUrl'>>;
  startedAt: Date;
  durationSeconds: number;
  machine: Machine;
  /** 1-minute load average when the run started and when it ended. */
  loadAverage: { start: number; end: number };
  phases: Phase[];
  medians: Record<Variant, VariantSummary>;
  /**
   * The median of the per-round ratios, and each round's: ours ÷ lockFree, ours2 ÷ ours (scaling),
   * ours ÷ locked, ours ÷ plain.
   */
  ratios: Record<Ratio, { median: number; perRound: number[] }>;
  subscribers: SubscriberSummary;
  valid: boolean;
  problems: string[];
  markdown: string;
}
