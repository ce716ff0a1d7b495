// The reporting benchmark's options and results, shared by the run (bench.ts) and its table (report.ts).
import type { CpuUse } from './cpu.ts';
import type { LoadResult } from './load.ts';
import type { SessionStates } from './sessions.ts';

/** The server's PostgreSQL pool (prisma/src/database.ts, `poolSize` default); the baselines get the same. */
export const SERVER_POOL_SIZE = 10;

export interface ReportingBenchOptions {
  /** Rounds; each runs ours and both baselines once, the order alternating. @default 5 */
  rounds?: number;
  /** Seconds of load per phase. @default 10 */
  seconds?: number;
  /** Requests in flight at once, for ours and the baselines alike. @default 16 */
  concurrency?: number;
  /** Unmeasured load per variant before the first round (JIT, caches, pool). @default 3 */
  warmupSeconds?: number;
  /** A maintenance URL; the bench creates its own database beside it and drops it afterwards. @default $BENCH_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/postgres */
  postgresUrl?: string;
  /** Progress lines. @default stderr */
  log?: (line: string) => void;
}

export type Variant = 'ours' | 'plain' | 'transaction';
export const VARIANTS: readonly Variant[] = ['ours', 'plain', 'transaction'];

export interface Phase {
  round: number;
  variant: Variant;
  load: LoadResult;
  cpu: CpuUse;
  sessions: SessionStates;
  /** Rows found afterwards under this phase's idempotency keys, with their audit entries and events. */
  stored: { reports: number; audits: number; events: number };
  problems: string[];
}

export interface Machine {
  cpu: string;
  cores: number;
  node: string;
  postgres: string;
  /** fsync and synchronous_commit: what a commit costs depends on them. */
  durability: string;
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
  serverMsPerReport: number | null;
  postgresMsPerReport: number | null;
  /** Share of the machine busy with anything else (other processes, PostgreSQL's background workers). */
  otherShare: number;
  /** Mean sessions of this database in each state (medians over rounds). */
  sessions: Omit<SessionStates, 'samples'>;
}

export interface ReportingBenchResult {
  options: Required<Omit<ReportingBenchOptions, 'log' | 'postgresUrl'>>;
  startedAt: Date;
  durationSeconds: number;
  machine: Machine;
  phases: Phase[];
  medians: Record<Variant, VariantSummary>;
  /** Ours ÷ baseline: the median of the per-round ratios, and each round's. */
  ratios: Record<'plain' | 'transaction', { median: number; perRound: number[] }>;
  valid: boolean;
  problems: string[];
  markdown: string;
}
