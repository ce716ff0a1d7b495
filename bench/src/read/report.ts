import type { Machine } from '../shared/machine.ts';
import { machineLine } from '../shared/machine.ts';
import { depth3Page, type MeasuredRun, type OperationResult, type ReadApiResult, type ReadApiSettings, type Round } from './bench.ts';
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

interface SideSummary {
  rps: number;
  p50: number;
  p99: number;
  cpu: number;
  errors: number;
}

/** Ours against PostGraphile at one concurrency. */
export interface PeerComparison {
  connections: number;
  ours: SideSummary;
  peer: SideSummary;
  ratio: number;
  ratios: number[];
  validRounds: number;
}

export interface OperationSummary {
  ours: SideSummary;
  baseline: SideSummary;
  /** Baseline ÷ ours CPU per response, median of the rounds' (1.00: our process spends what the handler's does). */
  cpuRatio: number;
  ratio: number;
  ratios: number[];
  validRounds: number;
  /** Where PostGraphile served the operation: at the round's concurrency and at the wide one. */
  peer?: PeerComparison & { wide: PeerComparison };
}

/** Medians of a side's runs over the valid rounds; errors over all of them. */
function sideOf(all: MeasuredRun[], valid: MeasuredRun[]): SideSummary {
  return {
    rps: median(valid.map((r) => r.requestsPerSecond)),
    p50: median(valid.map((r) => r.p50)),
    p99: median(valid.map((r) => r.p99)),
    cpu: median(valid.map((r) => r.cpuMsPerResponse)),
    errors: all.reduce((sum, r) => sum + r.errors + r.mismatches, 0),
  };
}

/** Ours ÷ peer over the rounds where both runs of the pair were clean. */
function compare<R extends Round>(rounds: R[], pair: (r: R) => { ours: MeasuredRun; peer: MeasuredRun; ratio: number; connections: number }): PeerComparison {
  const pairs = rounds.map(pair);
  const valid = pairs.filter((p) => Number.isFinite(p.ratio));
  const ratios = valid.map((p) => p.ratio);
  return {
    connections: pairs[0]?.connections ?? Number.NaN,
    ours: sideOf(pairs.map((p) => p.ours), valid.map((p) => p.ours)),
    peer: sideOf(pairs.map((p) => p.peer), valid.map((p) => p.peer)),
    ratio: median(ratios),
    ratios,
    validRounds: valid.length,
  };
}

/** Medians over the rounds whose runs were both clean; error counts over all rounds. */
export function summarise(result: OperationResult, connections = Number.NaN): OperationSummary {
  const valid = result.rounds.filter((r) => Number.isFinite(r.ratio));
  const side = (who: 'ours' | 'baseline') => sideOf(result.rounds.map((r) => r[who]), valid.map((r) => r[who]));
  const ratios = valid.map((r) => r.ratio);
  const cpuRatio = median(valid.map((r) => r.baseline.cpuMsPerResponse / r.ours.cpuMsPerResponse));
  const summary: OperationSummary = { ours: side('ours'), baseline: side('baseline'), cpuRatio, ratio: median(ratios), ratios, validRounds: valid.length };
  const withPeer = result.rounds.filter((r): r is Round & { peer: NonNullable<Round['peer']> } => r.peer !== undefined);
  if (withPeer.length) {
    summary.peer = {
      ...compare(withPeer, (r) => ({ ours: r.ours, peer: r.peer.peer, ratio: r.peer.ratio, connections })),
      wide: compare(withPeer, (r) => r.peer.wide),
    };
  }
  return summary;
}

const databaseName = { postgres: 'PostgreSQL', pglite: 'PGlite' } as const;
const baselineName = {
  postgres: 'node:http + pg (pool of 10)',
  pglite: 'node:http + PGlite in-process (copy of the seeded folder)',
} as const;

export function readApiReport(input: ReportInput): string {
  const { settings } = input;
  const lines = [
    '# Read API: Fangkong server ÷ hand-written node:http handler, and ÷ PostGraphile 5',
    '',
    `- Machine: ${machineLine(input.machine)}`,
    `- Date: ${input.startedAt.toISOString()} (took ${Math.round((input.finishedAt.getTime() - input.startedAt.getTime()) / 1000)} s); ` +
      `1-minute load average ${input.machine.loadAverage.toFixed(1)} at the start, ${input.loadAverageAtEnd.toFixed(1)} at the end`,
    `- Settings: ${settings.rounds} rounds; in each round each target gets ${settings.secondsPerOperation} s of load per operation, ` +
      `the target that goes first alternating; ${settings.warmupSeconds} s warm-up per operation and target (for the checkpoint page ours and PostGraphile ` +
      `also at ${settings.wideConnections} connections); ` +
      `${settings.connections} connections, no pipelining; autocannon in the bench process, every response body checked ` +
      `(non-200, "errors" or a body different from the verified one makes the run invalid).`,
    ...(input.smoke ? ['- **Smoke run (--quick)**: both databases loaded at the same time, no warm-up; it proves the benchmark runs, its figures measure nothing.'] : []),
    `- Targets: ours = \`server/src/cli.ts serve\` (Yoga + Pothos + Prisma, graphql-js's standard executor); baseline = \`bench/src/read/baseline-server.ts\`, ` +
      `the same SQL statements written by hand, same JSON; peer = \`bench/src/read/peer-server.ts\`, PostGraphile 5 (amber preset, grafserv on node:http, ` +
      `pg pool of 10, GRAPHILE_ENV=production) generated from the same migrated database, on PostgreSQL only and for the checkpoint page only ` +
      `(zoneSummary's day figures are not a table PostGraphile can expose without writing them again in SQL); each its own Node process. ` +
      `Ours and the baseline verified deep-equal before loading; the peer's page, mapped to our names (ids to our global ids), deep-equal to ours: ` +
      `same checkpoints, same order, same figures.`,
    `- Executor: these figures are without graphql-jit (\`@envelop/graphql-jit\`), which was taken out of the server (11f6d84) after the ` +
      `previous table, measured with it, was written.`,
    `- Operations: zoneSummary(day: "${settings.day}") (5 reads in one REPEATABLE READ snapshot) and checkpoints(first: 50) ` +
      `with today's counts (2 statements); clock FANGKONG_CLOCK_START=${settings.clockStart}. ` +
      `\`asOf\` is not asked for: it differs on every response.`,
    ...dataLines(input.results),
    '',
    '| Database | History | Operation | Baseline | Ours req/s | Ours p50 / p99 ms | Baseline req/s | Baseline p50 / p99 ms | Statements (ours) | CPU ms per response ours / baseline | Baseline ÷ ours CPU | Errors ours / baseline | **Ours ÷ baseline** | ' +
      `PostGraphile req/s c=${settings.connections} / c=${settings.wideConnections} | Errors PostGraphile | **Ours ÷ PostGraphile c=${settings.connections}** | **Ours ÷ PostGraphile c=${settings.wideConnections}** |`,
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const details: string[] = [];
  for (const result of input.results) {
    for (const operation of result.operations) {
      const s = summarise(operation, settings.connections);
      const peer = s.peer
        ? `${fixed(s.peer.peer.rps)} / ${fixed(s.peer.wide.peer.rps)} | ${s.peer.peer.errors + s.peer.wide.peer.errors} | **${fixed(s.peer.ratio, 2)}** | **${fixed(s.peer.wide.ratio, 2)}** |`
        : '– | – | – | – |';
      lines.push(
        `| ${databaseName[result.backend]} | ${historyName(result)} | ${operation.operation.label} | ${baselineName[result.backend]} | ` +
          `${fixed(s.ours.rps)} | ${ms(s.ours.p50)} / ${ms(s.ours.p99)} | ${fixed(s.baseline.rps)} | ${ms(s.baseline.p50)} / ${ms(s.baseline.p99)} | ` +
          `${fixed(result.operationStatements[operation.operation.name]?.statements ?? Number.NaN)} | ${fixed(s.ours.cpu, 2)} / ${fixed(s.baseline.cpu, 2)} | ${fixed(s.cpuRatio, 2)} | ` +
          `${s.ours.errors} / ${s.baseline.errors} | **${fixed(s.ratio, 2)}** | ${peer}`,
      );
      const perRequest = (rps: number) => (Number.isFinite(rps) ? 1000 / rps : Number.NaN);
      details.push(
        `- ${databaseName[result.backend]}, ${historyName(result)}, ${operation.operation.label}: per-round ratios ${s.ratios.map((r) => r.toFixed(2)).join(', ') || 'none'} ` +
          `(${s.validRounds}/${operation.rounds.length} rounds clean); time per request at saturation (1 ÷ throughput) ` +
          `ours ${ms(perRequest(s.ours.rps))} ms, baseline ${ms(perRequest(s.baseline.rps))} ms; ` +
          `response ${operation.bytes.ours} / ${operation.bytes.baseline} bytes.`,
      );
      for (const c of s.peer ? [s.peer, s.peer.wide] : []) {
        details.push(
          `- ${databaseName[result.backend]}, ${historyName(result)}, ${operation.operation.label}, ours ÷ PostGraphile at ${c.connections} connections: ` +
            `per-round ratios ${c.ratios.map((r) => r.toFixed(2)).join(', ') || 'none'} (${c.validRounds}/${operation.rounds.length} rounds clean); ` +
            `ours ${fixed(c.ours.rps)} req/s, p50 / p99 ${ms(c.ours.p50)} / ${ms(c.ours.p99)} ms, CPU ${fixed(c.ours.cpu, 2)} ms per response; ` +
            `PostGraphile ${fixed(c.peer.rps)} req/s, p50 / p99 ${ms(c.peer.p50)} / ${ms(c.peer.p99)} ms, CPU ${fixed(c.peer.cpu, 2)} ms per response` +
            (c === s.peer ? `; response ${operation.bytes.peer ?? Number.NaN} bytes.` : '.'),
        );
      }
    }
  }
  lines.push(
    '',
    'Ratios are medians of the per-round ratios (ours ÷ baseline, measured back to back); 1.00 would mean no cost over the hand-written handler. ' +
      'CPU per response is the CPU time (user + system, /proc) the target\'s process spent during a run ÷ the responses it gave: what a ' +
      'request costs the process itself, without the waits of a saturated machine (on a loaded one it still grows, shared caches and cores ' +
      'slow every instruction). On PostgreSQL it leaves out the database backends (both ' +
      'targets send the same reads; ours counts SET TRANSACTION among its statements); on PGlite the database runs inside the process and is included.',
    '',
  );
  lines.push(...details);
  lines.push(...historyTable(input.results), ...statementsTable(input.results));
  if (input.problems.length) lines.push('', '**Not measured:**', ...input.problems.map((p) => `- ${p}`));
  lines.push('', '## Notes', '', ...notes(input));
  return `${lines.join('\n')}\n`;
}

const historyName = (result: ReadApiResult) => (result.history ? `${result.history.toLocaleString('en')} reports` : 'seed only');

/** What each database held: the seed's summary, once per distinct history. */
function dataLines(results: ReadApiResult[]): string[] {
  if (!results.length) return ['- Data: none'];
  const seen = new Map<string, string>();
  for (const result of results) if (!seen.has(historyName(result))) seen.set(historyName(result), result.seedSummary);
  return [...seen].map(([name, summary]) => `- Data (${name}): ${summary}`);
}

/** With more than one history: each operation's throughput at each history ÷ at the smallest, per side. */
function historyTable(results: ReadApiResult[]): string[] {
  const out: string[] = [];
  for (const backend of ['postgres', 'pglite'] as const) {
    const runs = results.filter((r) => r.backend === backend).sort((a, b) => (a.history ?? 0) - (b.history ?? 0));
    if (runs.length < 2) continue;
    const smallest = runs[0]!;
    if (!out.length) {
      out.push(
        '',
        '## Against history: throughput at each history ÷ at the smallest',
        '',
        'Each history is its own database and pass of the whole benchmark, one after the other in this run (not alternated within a round): ' +
          'these ratios carry the drift of a shared machine between passes; the history benchmark (`pnpm bench:history`) alternates them.',
        '',
        '| Database | Operation | History | Ours req/s | Ours ÷ ours at the smallest | Baseline ÷ baseline at the smallest |',
        '|---|---|---|---:|---:|---:|',
      );
    }
    for (const run of runs.slice(1)) {
      for (const operation of run.operations) {
        const base = smallest.operations.find((o) => o.operation.name === operation.operation.name);
        if (!base) continue;
        const [now, then] = [summarise(operation), summarise(base)];
        out.push(
          `| ${databaseName[backend]} | ${operation.operation.label} | ${historyName(run)} ÷ ${historyName(smallest)} | ${fixed(now.ours.rps)} | ` +
            `**${fixed(now.ours.rps / then.ours.rps, 2)}** | ${fixed(now.baseline.rps / then.baseline.rps, 2)} |`,
        );
      }
    }
  }
  return out;
}

/** Statements and rows of the depth-3 page and of the checkpoint page at each page size, per database and history. */
function statementsTable(results: ReadApiResult[]): string[] {
  const withCounts = results.filter((r) => r.statements.length);
  if (!withCounts.length) return [];
  const sizes = withCounts[0]!.statements.map((s) => s.pageSize);
  return [
    '',
    '## SQL per request at page sizes 1, 10, 50 and 500',
    '',
    `The depth-3 page \`${depth3Page(0).replace('first: 0', 'first: N')}\` and the benchmark's checkpoint page with \`first: N\`, ` +
      'each sent once per page size to a server of ours started with FANGKONG_TRACE_SQL=1 before the measured targets (an admin token: ' +
      'the largest page is beyond an analyst\'s read budget). Every area\'s page and every checkpoint\'s reports are cut in the database, ' +
      'one statement per level for the whole list; a `totalCount` asked is counted in its page\'s statement, and today\'s counts with the ' +
      'latest report in one; rows are what the statements returned.',
    '',
    `| Database | History | Read | ${sizes.map((size) => `N = ${size}: statements / rows`).join(' | ')} |`,
    `|---|---|---|${sizes.map(() => '---:').join('|')}|`,
    ...withCounts.flatMap((r) =>
      (
        [
          ['depth-3 page', r.statements],
          ['checkpoint page', r.pageStatements],
        ] as const
      ).map(([read, counts]) => `| ${databaseName[r.backend]} | ${historyName(r)} | ${read} | ${counts.map((s) => `${s.statements} / ${s.rows.toLocaleString('en')}`).join(' | ')} |`),
    ),
  ];
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
    '- Where it goes (CPU profiles of our server, `node --cpu-prof`, 9 s of load each on PostgreSQL at 10,000 reports, taken with ' +
      'the previous table, when queries were still compiled by graphql-jit; not taken again for this one). The checkpoint page: GC ~13 % of samples, socket writes ~9 % (the baseline pays those too), the Prisma client ~15 % ' +
      '(building and mapping the checkpoint query, and the raw counts statement through the same pipeline), Yoga with its fetch-API adaptation ' +
      '(whatwg-node, envelop) ~9 %, Pothos ~7 % (scope-auth on every field of every row, selection mapping, the Prisma plugin), the pg driver ~5 %, ' +
      'the read budget\'s estimate of the operation (server/src/plugins/query-cost.ts) ~1.6 %, promise hooks of the request-scoped ' +
      'AsyncLocalStorage (request ids in logs) ~1.5 %, the compiled execution itself well under 1 %. GraphQL parsing ' +
      'and validation do not appear: Yoga keeps both per document. zoneSummary: a third of the samples idle (its five reads run one after ' +
      'the other in one snapshot, as the baseline\'s do), the Prisma client ~10 %, socket writes ~10 %.',
    '- PostGraphile (the peer) answers the checkpoint page with one statement it plans and compiles itself: the page of checkpoints ' +
      'joined laterally to a computed column, `"Checkpoint_today"(c, day, time_zone)`, a STABLE SQL function with ' +
      'the same sums and filters as ours (current versions by period start in the zone\'s local day), which peer-server.ts creates in the ' +
      'bench\'s throwaway database only, with the column `kind` made orderable by a smart tag (PostGraphile orders only by indexed columns ' +
      'unless told); PostgreSQL cannot inline a function that aggregates, so it runs once per checkpoint of the page where ours and the ' +
      'baseline send one grouped statement for the whole page. It is told the day and time zone in the query (ours and the baseline take them from their clock), selects only ' +
      'the columns asked for, and checks no token. Each round loads the three at ' +
      `${input.settings.connections} connections one after the other (ours, baseline, PostGraphile; reversed every other round), then ours and ` +
      `PostGraphile again at ${input.settings.wideConnections} (ours first in odd rounds); ours ÷ PostGraphile is the median of the per-round ratios of each pair.`,
    '- On PGlite the SQL runs on the target\'s own thread (one statement at a time), so the database\'s share of each request is ' +
      'larger for both targets and the stack is a smaller fraction of the whole.',
  );
  return out;
}
