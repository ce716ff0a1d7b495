import type { ReportingBenchResult, Variant, VariantSummary } from './types.ts';

export const VARIANT_LABELS: Record<Variant, string> = {
  ours: 'ours: `reportCheckpointCounts` over HTTP (Yoga → Pothos → Prisma, one transaction)',
  plain: '(a) raw `pg`: one autocommitted INSERT per row',
  transaction: '(b) raw `pg`: the same transaction shape by hand',
};

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const n1 = (v: number) => v.toFixed(1);
const n2 = (v: number) => v.toFixed(2);
const pct = (v: number) => `${Math.round(v * 100)} %`;
const ms = (v: number | null) => (v === null || Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)} ms`);

/** bench/results/reporting.md: the medians and ratios first, then each round, then how to read them. */
export function renderReportingMarkdown(result: ReportingBenchResult): string {
  const { options, machine, medians, ratios } = result;
  const variants = Object.keys(VARIANT_LABELS) as Variant[];
  const lines: string[] = [];
  lines.push('# Reporting throughput: `reportCheckpointCounts` vs raw `pg` inserts');
  lines.push('');
  lines.push(
    `Written by \`node --import tsx bench/src/reporting/cli.ts${cliFlags(options)}\` on ${result.startedAt.toISOString()} ` +
      `(${Math.round(result.durationSeconds)} s). ${options.rounds} rounds × ${options.seconds} s per variant, ${options.concurrency} requests in flight, ` +
      `pool of 10 connections for the server and for raw \`pg\`, one fresh PostgreSQL database for the run.`,
  );
  lines.push('');
  lines.push(`**Machine:** ${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; ${machine.postgres} (${machine.durability}). ` +
    'Server, load generator and PostgreSQL share these cores.');
  lines.push('');
  lines.push(result.valid ? '**Run: valid** — every answer checked, every accepted report found in the database with its audit entry and outbox event.' : `**Run: INVALID** — ${result.problems.join('; ')}`);
  lines.push('');
  lines.push('| variant | reports/s (median) | p50 latency | p99 latency | accepted (all rounds) | wrong answers |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const variant of variants) {
    const m = medians[variant];
    lines.push(`| ${VARIANT_LABELS[variant]} | ${n0(m.perSecond)} | ${n1(m.p50Ms)} ms | ${n1(m.p99Ms)} ms | ${n0(m.ok)} | ${m.failures} |`);
  }
  lines.push('');
  lines.push('| ratio (median of per-round ratios) | value | per round |');
  lines.push('|---|---:|---|');
  lines.push(`| **ours ÷ (a)** plain INSERT | **${n2(ratios.plain.median)}** | ${ratios.plain.perRound.map(n2).join(', ')} |`);
  lines.push(`| **ours ÷ (b)** same transaction shape | **${n2(ratios.transaction.median)}** | ${ratios.transaction.perRound.map(n2).join(', ')} |`);
  lines.push('');
  lines.push('Latencies are medians of the per-round p50 and p99, over right answers only.');
  lines.push('');

  lines.push('## Where the CPU went (medians of rounds)');
  lines.push('');
  lines.push('| variant | machine busy | PostgreSQL backends per report | server process per report | bench process per report | everything else (share of machine) |');
  lines.push('|---|---:|---:|---:|---:|---:|');
  for (const variant of variants) {
    const m = medians[variant];
    lines.push(
      `| ${variant} | ${pct(m.machineBusy)} | ${ms(m.postgresMsPerReport)} | ${variant === 'ours' ? ms(m.serverMsPerReport) : `(idle) ${ms(m.serverMsPerReport)}`} | ${ms(m.benchMsPerReport)} | ${pct(m.otherShare)} |`,
    );
  }
  lines.push('');
  lines.push(
    'CPU time from `/proc` per accepted report. The bench process is the load generator: for ours an HTTP client building and parsing JSON, ' +
      'for the baselines the `pg` client. "Everything else" is busy time none of these account for: other processes on the machine, ' +
      "PostgreSQL's WAL writer and checkpointer, the kernel.",
  );
  lines.push('');

  lines.push('## Inside PostgreSQL (mean sessions of the bench database, sampled every 100 ms; medians of rounds)');
  lines.push('');
  lines.push('| variant | running a statement | waiting for a lock (the outbox lock) | waiting for I/O or WAL | idle in transaction (waiting for the client) |');
  lines.push('|---|---:|---:|---:|---:|');
  for (const variant of variants) {
    const { running, waitingForLock, waitingForIo, idleInTransaction } = medians[variant].sessions;
    lines.push(`| ${variant} | ${n1(running)} | ${n1(waitingForLock)} | ${n1(waitingForIo)} | ${n1(idleInTransaction)} |`);
  }
  lines.push('');
  lines.push(
    `With ${options.concurrency} requests in flight and 10 connections, at most 10 sessions are busy; the rest of the requests queue for a connection ` +
      '(in the server\'s pool for ours, in the `pg.Pool` for the baselines).',
  );
  lines.push('');

  lines.push('## Rounds');
  lines.push('');
  lines.push('| round | order | ours/s | (a)/s | (b)/s | ours ÷ (a) | ours ÷ (b) | problems |');
  lines.push('|---:|---|---:|---:|---:|---:|---:|---|');
  for (let round = 1; round <= options.rounds; round++) {
    const inRound = result.phases.filter((p) => p.round === round);
    const of = (variant: Variant) => inRound.find((p) => p.variant === variant)!;
    const problems = inRound.flatMap((p) => p.problems.map((problem) => `${p.variant}: ${problem}`));
    lines.push(
      `| ${round} | ${inRound.map((p) => p.variant).join(' → ')} | ${n0(of('ours').load.perSecond)} | ${n0(of('plain').load.perSecond)} | ${n0(of('transaction').load.perSecond)} | ` +
        `${n2(ratios.plain.perRound[round - 1] ?? Number.NaN)} | ${n2(ratios.transaction.perRound[round - 1] ?? Number.NaN)} | ${problems.join('; ') || '—'} |`,
    );
  }
  lines.push('');

  lines.push('## What was measured');
  lines.push('');
  lines.push(
    '- **Ours:** the server started as an operator starts it (`server/src/cli.ts serve`, `DATABASE_URL` set, logging off, no Redis) in its own process, ' +
      'with `FANGKONG_RATE_LIMIT` raised so the per-token budget (600 a minute) does not refuse the load; the limit is still checked on every request. ' +
      `The bench process keeps ${options.concurrency} requests in flight over keep-alive HTTP connections with an operator token ` +
      '(made by `cli.ts token create`, scoped to the open checkpoints; it may not read `report { id }`, so the selection is `__typename`, ' +
      '`duplicate` and the error fields); each reports a fresh random, valid hour of counts ' +
      'at a random open checkpoint with its own idempotency key. Every answer is checked (HTTP 200, no `errors`, a `CheckpointReportPayload`, ' +
      '`duplicate: false`); afterwards the rows under that phase\'s keys are counted, with their `AuditEntry` and `Event` rows.',
  );
  lines.push(
    '- **(a)** `pg.Pool` of 10 in the bench process, the same rows (same generator, same columns and conversions) into the same ' +
      '`"CheckpointReport"` table, one autocommitted `INSERT` each: the floor for a durable row.',
  );
  lines.push(
    '- **(b)** the same pool and rows, each in the server\'s transaction shape: `BEGIN`; `INSERT … ON CONFLICT ("idempotencyKey") DO NOTHING RETURNING id`; ' +
      '`INSERT` the audit entry with the row as JSON; `SELECT pg_advisory_xact_lock(…)` on the outbox key; `INSERT` the outbox event; `COMMIT`.',
  );
  lines.push(
    '- Each round runs the three variants for the same time, the order reversed every other round; a `CHECKPOINT` precedes each phase; ' +
      `an unmeasured ${options.warmupSeconds} s warm-up per variant precedes round 1. Throughput is right answers ÷ time from the first request to the last answer.`,
  );
  lines.push('');

  lines.push('## Note');
  lines.push('');
  for (const paragraph of notes(result)) {
    lines.push(paragraph);
    lines.push('');
  }
  return lines.join('\n');
}

function cliFlags(options: ReportingBenchResult['options']): string {
  if (options.rounds === 2 && options.seconds === 3 && options.concurrency === 16) return ' --quick';
  const flags: string[] = [];
  if (options.rounds !== 5) flags.push(`--rounds ${options.rounds}`);
  if (options.seconds !== 10) flags.push(`--seconds ${options.seconds}`);
  if (options.concurrency !== 16) flags.push(`--concurrency ${options.concurrency}`);
  return flags.length ? ` ${flags.join(' ')}` : '';
}

/** Share of the machine this benchmark's own processes kept busy. */
const ownBusy = (m: VariantSummary) => m.machineBusy - m.otherShare;

/** The reading of the numbers; the parts that depend on them are worked out from them. */
function notes(result: ReportingBenchResult): string[] {
  const { medians, ratios } = result;
  const out: string[] = [];
  out.push(
    `- **What the ratios say.** ours ÷ (b) = ${n2(ratios.transaction.median)} is the price of HTTP, GraphQL and Prisma on top of the same transaction; ` +
      `(b) ÷ (a) = ${n2(medians.transaction.perSecond / medians.plain.perSecond)} (from the medians) is the price of the transaction design itself: ` +
      'six round trips instead of one, an audit row and an outbox row more, and the outbox lock, which every writer holds from just before its event insert to its commit. ' +
      `ours ÷ (a) = ${n2(ratios.plain.median)} is both together.`,
  );
  out.push(
    '- **Ours does more than (b).** Inside its transaction the resolver also reads the checkpoint (to refuse closed ones) and reads the inserted row ' +
      'back by id (to answer with it and to audit it), so it holds a connection for more round trips than (b); (b) is the transaction shape the ' +
      'issue names, not a line-for-line copy. Ours also validates the counts and the period and hashes the payload.',
  );
  const attributed = (m: VariantSummary) =>
    m.postgresMsPerReport === null ? null : m.postgresMsPerReport + (m.serverMsPerReport ?? 0) + m.benchMsPerReport;
  const oursCpu = attributed(medians.ours);
  const txCpu = attributed(medians.transaction);
  if (oursCpu !== null && txCpu !== null && medians.ours.serverMsPerReport !== null) {
    out.push(
      `- **CPU per report.** Ours cost ${n2(oursCpu)} ms of CPU per report across PostgreSQL, the server and the load generator, ` +
        `of which the server process ${n2(medians.ours.serverMsPerReport)} ms; (b) cost ${n2(txCpu)} ms. ` +
        (Math.min(ownBusy(medians.ours), ownBusy(medians.transaction)) > 0.85
          ? 'This benchmark alone kept the cores busy in both, so throughput follows CPU per report: on a machine where PostgreSQL had cores ' +
            "of its own, the server's CPU would no longer be taken from the database and ours would likely lose less to (b)."
          : Math.max(medians.ours.otherShare, medians.transaction.otherShare) > 0.1
            ? 'Other processes took part of the cores, so the absolute rates are low; CPU per report is the steadier figure.'
            : 'The cores were not saturated throughout, so part of the time goes to waiting (commits, the outbox lock, round trips) rather than computing.'),
    );
  }
  const o = medians.ours.sessions;
  const b = medians.transaction.sessions;
  const bBusy = b.running + b.waitingForLock + b.waitingForIo + b.idleInTransaction;
  out.push(
    '- **The outbox lock.** Every writer takes the outbox lock just before its event insert and holds it through COMMIT, and so through the ' +
      'WAL flush: that stretch of every report runs one at a time, and reports per second can be no more than one over the time a ' +
      `transaction holds the lock. In (b) ${n1(b.waitingForLock)} of its ${n1(bBusy)} busy sessions were waiting for a lock on average` +
      (b.waitingForLock >= bBusy / 2 ? ': the lock, not the inserts, is what bounds the transaction design. ' : '. ') +
      `In ours ${n1(o.waitingForLock)} sessions waited for a lock and ${n1(o.idleInTransaction)} sat idle in a transaction waiting for the ` +
      "server's next statement (against " +
      `${n1(b.idleInTransaction)} in (b)); in ours the locked stretch also covers the server preparing the event insert and the commit. ` +
      'And because only one transaction at a time can be committing, commits cannot share a WAL flush, as those of (a) do ' +
      `(${n1(medians.plain.sessions.waitingForIo)} of its sessions were waiting for I/O or WAL together, on average).`,
  );
  const noisiest = Math.max(...Object.values(medians).map((m) => m.otherShare));
  out.push(
    noisiest > 0.1
      ? `- **A shared machine.** Up to ${pct(noisiest)} of the machine went to processes outside this benchmark during the phases (median per variant); ` +
          'the alternating order spreads that over the variants, but the per-round ratios show how much it moved them.'
      : `- **A quiet machine.** At most ${pct(noisiest)} of the machine went to anything outside this benchmark during the phases (median per variant).`,
  );
  out.push(
    '- The server stays up, idle, during the baseline phases; whatever it does in the background (for instance following the outbox for ' +
      'subscribers) is charged to every phase alike. All variants insert into the same table, which grows through the run; the alternating ' +
      'order spreads that too. Absolute numbers belong to this machine and this moment: compare ratios from one run.',
  );
  return out;
}
