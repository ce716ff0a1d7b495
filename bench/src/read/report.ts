import type { Machine } from '../shared/machine.ts';
import { machineLine } from '../shared/machine.ts';
import type { OperationResult, ReadApiResult, ReadApiSettings } from './bench.ts';
import { median } from '../shared/stats.ts';

export interface ReportInput {
  machine: Machine;
  startedAt: Date;
  finishedAt: Date;
  /** 1-minute load average when the run ended. */
  loadAverageAtEnd: number;
  settings: ReadApiSettings;
  results: ReadApiResult[];
  /** Why a database was not measured, if one was skipped or failed. */
  problems: string[];
  /** A --quick smoke: both databases at once, too short to measure anything. */
  smoke?: boolean;
}

const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
const ms = (value: number) => (Number.isFinite(value) ? (value < 10 ? value.toFixed(1) : value.toFixed(0)) : 'n/a');

export interface OperationSummary {
  ours: { rps: number; p50: number; p99: number; errors: number };
  baseline: { rps: number; p50: number; p99: number; errors: number };
  ratio: number;
  ratios: number[];
  validRounds: number;
}

/** Medians over the rounds whose runs were both clean; error counts over all rounds. */
export function summarise(result: OperationResult): OperationSummary {
  const valid = result.rounds.filter((r) => Number.isFinite(r.ratio));
  const side = (who: 'ours' | 'baseline') => ({
    rps: median(valid.map((r) => r[who].requestsPerSecond)),
    p50: median(valid.map((r) => r[who].p50)),
    p99: median(valid.map((r) => r[who].p99)),
    errors: result.rounds.reduce((sum, r) => sum + r[who].errors + r[who].mismatches, 0),
  });
  const ratios = valid.map((r) => r.ratio);
  return { ours: side('ours'), baseline: side('baseline'), ratio: median(ratios), ratios, validRounds: valid.length };
}

const databaseName = { postgres: 'PostgreSQL', pglite: 'PGlite' } as const;
const baselineName = {
  postgres: 'node:http + pg (pool of 10)',
  pglite: 'node:http + PGlite in-process (copy of the seeded folder)',
} as const;

export function readApiReport(input: ReportInput): string {
  const { settings } = input;
  const lines = [
    '# Read API: Fangkong server ÷ hand-written node:http handler',
    '',
    `- Machine: ${machineLine(input.machine)}`,
    `- Date: ${input.startedAt.toISOString()} (took ${Math.round((input.finishedAt.getTime() - input.startedAt.getTime()) / 1000)} s); ` +
      `1-minute load average ${input.machine.loadAverage.toFixed(1)} at the start, ${input.loadAverageAtEnd.toFixed(1)} at the end`,
    `- Settings: ${settings.rounds} rounds; in each round each target gets ${settings.secondsPerOperation} s of load per operation, ` +
      `the target that goes first alternating; ${settings.warmupSeconds} s warm-up per operation and target; ` +
      `${settings.connections} connections, no pipelining; autocannon in the bench process, every response body checked ` +
      `(non-200, "errors" or a body different from the verified one makes the run invalid).`,
    ...(input.smoke ? ['- **Smoke run (--quick)**: both databases loaded at the same time, no warm-up; it proves the benchmark runs, its figures measure nothing.'] : []),
    `- Targets: ours = \`server/src/cli.ts serve\` (Yoga + Pothos + Prisma); baseline = \`bench/src/read/baseline-server.ts\`, ` +
      `the same SQL statements written by hand, same JSON; each its own Node process. Both verified deep-equal before loading.`,
    `- Operations: zoneSummary(day: "${settings.day}") (5 statements in one REPEATABLE READ snapshot) and checkpoints(first: 50) ` +
      `with today's counts (2 statements); clock FANGKONG_CLOCK_START=${settings.clockStart}. ` +
      `\`asOf\` is not asked for: it differs on every response.`,
    `- Data: ${input.results[0]?.seedSummary ?? 'none'}`,
    '',
    '| Database | Operation | Baseline | Ours req/s | Ours p50 / p99 ms | Baseline req/s | Baseline p50 / p99 ms | Errors ours / baseline | **Ours ÷ baseline** |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  const details: string[] = [];
  for (const result of input.results) {
    for (const operation of result.operations) {
      const s = summarise(operation);
      lines.push(
        `| ${databaseName[result.backend]} | ${operation.operation.label} | ${baselineName[result.backend]} | ` +
          `${fixed(s.ours.rps)} | ${ms(s.ours.p50)} / ${ms(s.ours.p99)} | ${fixed(s.baseline.rps)} | ${ms(s.baseline.p50)} / ${ms(s.baseline.p99)} | ` +
          `${s.ours.errors} / ${s.baseline.errors} | **${fixed(s.ratio, 2)}** |`,
      );
      const perRequest = (rps: number) => (Number.isFinite(rps) ? 1000 / rps : Number.NaN);
      details.push(
        `- ${databaseName[result.backend]}, ${operation.operation.label}: per-round ratios ${s.ratios.map((r) => r.toFixed(2)).join(', ') || 'none'} ` +
          `(${s.validRounds}/${operation.rounds.length} rounds clean); time per request at saturation (1 ÷ throughput) ` +
          `ours ${ms(perRequest(s.ours.rps))} ms, baseline ${ms(perRequest(s.baseline.rps))} ms; ` +
          `response ${operation.bytes.ours} / ${operation.bytes.baseline} bytes.`,
      );
    }
  }
  lines.push('', 'Ratios are medians of the per-round ratios (ours ÷ baseline, measured back to back); 1.00 would mean no cost over the hand-written handler.', '');
  lines.push(...details);
  if (input.problems.length) lines.push('', '**Not measured:**', ...input.problems.map((p) => `- ${p}`));
  lines.push('', '## Notes', '', ...notes(input));
  return `${lines.join('\n')}\n`;
}

function notes(input: ReportInput): string[] {
  const out = [
    '- Two cores are shared by the load generator, the target under load and the database (PostgreSQL backends, or on ' +
      'PGlite the WebAssembly Postgres inside the target process), and by anything else running on the machine (see the load ' +
      'average). Absolute figures move with that; the ratios, measured back to back, are the result.',
    '- The baseline parses the same POST body and dispatches on `operationName`; it skips GraphQL parsing, validation and ' +
      'execution, the Prisma client and its driver adapter, and serialises one plain object. Both send the same statements ' +
      '(the baseline reads 4 checkpoint columns where Prisma reads all 14), so the difference is the cost of our stack in the Node process.',
  ];
  const costs = input.results.flatMap((result) =>
    result.operations.map((operation) => {
      const s = summarise(operation);
      return `${databaseName[result.backend]} ${operation.operation.name} ${ms(1000 / s.ours.rps - 1000 / s.baseline.rps)} ms`;
    }),
  );
  if (costs.length) out.push(`- Extra time per request in our process, roughly (1 ÷ throughput, ours − baseline; meaningful while the target is the bottleneck): ${costs.join('; ')}.`);
  out.push(
    '- Where it goes (a CPU profile of the server, `node --cpu-prof`, under the checkpoint-page load on PostgreSQL, taken while ' +
      'writing this benchmark): the Prisma client ~16 % of samples, GraphQL execution (graphql-tools executor, graphql-js, Pothos) ~11 %, ' +
      "Yoga's fetch-API adaptation (whatwg-node, envelop) ~8 %, socket writes ~10 % (the baseline pays those too), GC ~5 %, " +
      'and `localDate` (then schema/src/zone-time.ts, now @fangkong/zone) ~3 % (Intl formatToParts, once per checkpoint row for `today`); the pg driver itself ~6 %.',
    '- On PGlite the SQL runs on the target\'s own thread (one statement at a time), so the database\'s share of each request is ' +
      'larger for both targets and the stack is a smaller fraction of the whole.',
  );
  return out;
}
