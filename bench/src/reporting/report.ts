import { API_VARIANTS, type Ratio, type ReportingBenchResult, type Variant, type VariantSummary } from './types.ts';

export const VARIANT_LABELS: Record<Variant, string> = {
  ours: 'ours, 1 instance: `reportCheckpointCounts` over HTTP (Yoga → Pothos → one SQL statement), 16 in flight to instance A',
  ours2: 'ours, 2 instances: the same, 16 in flight to each of A and B',
  lockFree: 'raw `pg`, report + audit + event in one transaction, no lock',
  locked: 'raw `pg`, the same under the old outbox lock',
  plain: 'raw `pg`, one autocommitted INSERT of the report alone (the floor)',
};

const RATIO_LABELS: Record<Ratio, string> = {
  lockFree: 'ours ÷ raw lock-free (report + audit + event, no lock)',
  scaling: '2 instances ÷ 1 instance (ours)',
  locked: 'ours ÷ raw under the old outbox lock',
  plain: 'ours ÷ raw plain INSERT',
};

const n0 = (v: number) => Math.round(v).toLocaleString('en-US');
const n1 = (v: number) => v.toFixed(1);
const n2 = (v: number) => v.toFixed(2);
const pct = (v: number) => `${Math.round(v * 100)} %`;
const ms = (v: number | null) => (v === null || Number.isNaN(v) ? 'n/a' : `${v.toFixed(2)} ms`);
const met = (ok: boolean) => (ok ? 'met' : '**not met**');

/** bench/results/reporting.md: the goals first, then medians and ratios, then each round, then how to read them. */
export function renderReportingMarkdown(result: ReportingBenchResult): string {
  const { options, machine, medians, ratios, subscribers } = result;
  const variants = Object.keys(VARIANT_LABELS) as Variant[];
  const lines: string[] = [];
  const push = (...more: string[]) => lines.push(...more);
  push(
    `# Reporting throughput: \`reportCheckpointCounts\` vs raw \`pg\`, one and two instances, ${subscribers.size ? `${subscribers.size} live subscribers attached` : 'no subscribers (the write path alone)'}`,
  );
  push('');
  push(
    `Written by \`node --import tsx bench/src/reporting/cli.ts${cliFlags(options)}\` on ${result.startedAt.toISOString()} ` +
      `(${Math.round(result.durationSeconds)} s). ${options.rounds} rounds × ${options.seconds} s per variant, the order reversed every other round; ` +
      `${options.concurrency} requests in flight per writing instance and for the baselines; pool of 10 connections per server instance and for raw \`pg\`; ` +
      `${subscribers.size} live subscribers attached through every phase; one fresh PostgreSQL database for the run.`,
  );
  push('');
  push(
    `**Machine:** ${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; ${machine.postgres} (${machine.durability}); ${machine.redis}. ` +
      'Both server instances, the load generator, the subscribers, PostgreSQL and Redis share these cores.',
  );
  push('');
  push(
    `**Load average** (1 min) ${n1(result.loadAverage.start)} at the start, ${n1(result.loadAverage.end)} at the end` +
      ` (medians at the end of each variant's phases: ${variants.map((v) => `${v} ${n1(medians[v].loadAverage)}`).join(', ')}). ` +
      `On ${machine.cores} cores, anything above about ${machine.cores} means other work was queueing for the same cores: the figures are from a shared, loaded machine.`,
  );
  push('');
  push(
    result.valid
      ? `**Run: valid** — every answer checked, every accepted report found in the database with its audit entry and outbox event${subscribers.eventsExpected ? ', every report event delivered to every `events` subscriber' : ''}.`
      : `**Run: INVALID** — ${result.problems.slice(0, 5).join('; ')}${result.problems.length > 5 ? ` (and ${result.problems.length - 5} more)` : ''}`,
  );
  push('');

  const serverCpu2 = medians.ours2.serverMsPerReport;
  push('## Goals (issue 21, Writes)');
  push('');
  push('| figure | goal | this run |');
  push('|---|---|---|');
  push(`| ingest ÷ raw \`pg\` doing report + audit + event without a global lock, ${subscribers.size} subscribers attached | ≥ 0.6 | **${n2(ratios.lockFree.median)}** (${met(ratios.lockFree.median >= 0.6)}) |`);
  push(
    `| 2 instances × ${options.concurrency} writers ÷ 1 instance × ${options.concurrency}, PostgreSQL + Redis | ≥ 1.3 | **${n2(ratios.scaling.median)}** (${met(ratios.scaling.median >= 1.3)}) |`,
  );
  push(`| server CPU per report, 2 instances (both processes) | ≤ 1.5 ms | **${ms(serverCpu2)}** (${met(serverCpu2 !== null && serverCpu2 <= 1.5)}) |`);
  push('');
  const live = medians.lockFree.serverMsPerReport;
  if (serverCpu2 !== null && live !== null) {
    push(
      `Of the servers' ${ms(serverCpu2)} per report with two instances, ${ms(live)} is the live work any committed report starts (the servers' CPU per raw ` +
        `lock-free report, whose events the instances follow and deliver alike) and about ${ms(serverCpu2 - live)} the write itself through HTTP and GraphQL; ` +
        `with one instance ${ms(medians.ours.serverMsPerReport)} in all. (About: live values are recomputed at most every 250 ms per instance whatever the ` +
        'rate, so at a lower rate each report carries more of that work than at the raw phase\'s.)',
    );
    push('');
  }

  push('## Throughput (medians of rounds)');
  push('');
  push('| variant | reports/s | p50 latency | p99 latency | accepted (all rounds) | retryable 503s, retried | wrong answers |');
  push('|---|---:|---:|---:|---:|---:|---:|');
  for (const variant of variants) {
    const m = medians[variant];
    push(`| ${VARIANT_LABELS[variant]} | ${n0(m.perSecond)} | ${n1(m.p50Ms)} ms | ${n1(m.p99Ms)} ms | ${n0(m.ok)} | ${API_VARIANTS.includes(variant) ? n0(m.retried) : '—'} | ${m.failures} |`);
  }
  push('');
  const retried = medians.ours.retried + medians.ours2.retried;
  if (retried) {
    push(
      `The server answered ${n0(retried)} of ours' requests 503 \`DATABASE_UNAVAILABLE\` or \`SERVER_BUSY\` ("nothing was done, retry shortly": no connection ` +
        'free within a second while the cores were overloaded); the load generator retried each after its Retry-After with the same idempotency key, ' +
        'as the simulator does, and the wait counts in the latency and the throughput above.',
    );
    push('');
  }
  push('| ratio (median of per-round ratios) | value | per round |');
  push('|---|---:|---|');
  for (const ratio of Object.keys(RATIO_LABELS) as Ratio[]) {
    push(`| ${RATIO_LABELS[ratio]} | **${n2(ratios[ratio].median)}** | ${ratios[ratio].perRound.map(n2).join(', ')} |`);
  }
  push('');
  push('Latencies are medians of the per-round p50 and p99, over right answers only.');
  push('');

  push('## Where the CPU went (medians of rounds)');
  push('');
  push('| variant | machine busy | PostgreSQL backends per report | server A per report | server B per report | both servers per report | bench process per report | everything else (share of machine) |');
  push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const variant of variants) {
    const m = medians[variant];
    push(
      `| ${variant} | ${pct(m.machineBusy)} | ${ms(m.postgresMsPerReport)} | ${ms(m.serverAMsPerReport)} | ${ms(m.serverBMsPerReport)} | ${ms(m.serverMsPerReport)} | ${ms(m.benchMsPerReport)} | ${pct(m.otherShare)} |`,
    );
  }
  push('');
  push(
    'CPU time from `/proc/<pid>/stat` (user + system) per accepted report. Both server instances are charged in every phase: in `ours` B takes no writes ' +
      'but follows the outbox and serves its half of the subscribers; in the raw lock-free and locked phases the bench announces each committed event on ' +
      'Redis as a server would, so the instances read it and update their subscribers just as after one of ours: the live work is the same on both sides, and ' +
      "ours' server CPU less the lock-free phase's is what the write path through the API costs. The bench process is the load generator and the subscribers' " +
      'clients. "Everything else" is busy time none of these account for: other processes on the machine, Redis, PostgreSQL\'s WAL writer and checkpointer, the kernel.',
  );
  push('');

  push('## Inside PostgreSQL (mean sessions of the bench database, sampled every 100 ms; medians of rounds)');
  push('');
  push('| variant | running a statement | waiting for a lock | waiting for I/O or WAL | idle in transaction (waiting for the client) |');
  push('|---|---:|---:|---:|---:|');
  for (const variant of variants) {
    const { running, waitingForLock, waitingForIo, idleInTransaction } = medians[variant].sessions;
    push(`| ${variant} | ${n1(running)} | ${n1(waitingForLock)} | ${n1(waitingForIo)} | ${n1(idleInTransaction)} |`);
  }
  push('');

  push('## Subscribers');
  push('');
  if (!subscribers.size) push('None: this run measures the write path alone (the instances still follow the outbox and read every event).');
  else push(
    `${subscribers.size} graphql-ws subscribers, half on each instance, connected before the first write and through every phase: ` +
      `${subscribers.kinds.map((k) => `${k.count} \`${k.name}\``).join(', ')}. They received ${n0(subscribers.delivered)} results in all; ` +
      `the \`events\` subscribers ${n0(subscribers.eventsDelivered)} of the ${n0(subscribers.eventsExpected)} report events due to them ` +
      '(every report event of the run, the baselines\' included, to each of them, none missing, none twice).' +
      (subscribers.refusals
        ? ` ${n0(subscribers.refusals)} results carried a retryable refusal instead of a field (\`DATABASE_UNAVAILABLE\`: no connection free within a second on the overloaded machine, e.g. a \`checkpoint { name }\` read per subscriber); those subscriptions went on with the next update.`
        : '') +
      (subscribers.problems.length ? ` Problems: ${subscribers.problems.slice(0, 5).join('; ')}.` : ''),
  );
  push('');

  push('## Rounds');
  push('');
  push(`| round | order | ${variants.map((v) => `${v}/s`).join(' | ')} | ours ÷ lock-free | 2 ÷ 1 instances | server CPU/report (ours, ours2) | load avg | problems |`);
  push(`|---:|---|${variants.map(() => '---:').join('|')}|---:|---:|---:|---:|---|`);
  for (let round = 1; round <= options.rounds; round++) {
    const inRound = result.phases.filter((p) => p.round === round);
    const of = (variant: Variant) => inRound.find((p) => p.variant === variant)!;
    const cpuOf = (variant: Variant) => {
      const p = of(variant);
      return p.cpu.serverMs === null || !p.load.ok ? 'n/a' : n2(p.cpu.serverMs / p.load.ok);
    };
    const problems = inRound.flatMap((p) => p.problems.map((problem) => `${p.variant}: ${problem}`));
    push(
      `| ${round} | ${inRound.map((p) => p.variant).join(' → ')} | ${variants.map((v) => n0(of(v).load.perSecond)).join(' | ')} | ` +
        `${n2(ratios.lockFree.perRound[round - 1] ?? Number.NaN)} | ${n2(ratios.scaling.perRound[round - 1] ?? Number.NaN)} | ${cpuOf('ours')}, ${cpuOf('ours2')} ms | ` +
        `${n1(Math.max(...inRound.map((p) => p.loadAverage)))} | ${problems.join('; ') || '—'} |`,
    );
  }
  push('');

  push('## What was measured');
  push('');
  push(
    '- **Ours:** two server processes started as an operator starts them (`server/src/cli.ts serve`, `DATABASE_URL` and `REDIS_URL` set, logging off) ' +
      'on one database, with `FANGKONG_RATE_LIMIT` raised so the per-token budget does not refuse the load (it is still checked on every request). ' +
      'The bench process keeps requests in flight over keep-alive HTTP connections with an operator token scoped to the open checkpoints; each ' +
      'reports a fresh valid period of counts at an open checkpoint with its own idempotency key. Every answer is checked (HTTP 200, no `errors`, ' +
      'a `CheckpointReportPayload`, `duplicate: false`); afterwards the rows under that phase\'s keys are counted, with their `AuditEntry` and `Event` rows. ' +
      '`ours` sends to instance A only; `ours2` sends to both.',
  );
  push(
    '- **Raw lock-free:** `pg.Pool` of 10 in the bench process, the same rows into the same tables: `BEGIN`; ' +
      '`INSERT … ON CONFLICT ("idempotencyKey") DO NOTHING RETURNING id`; `INSERT` the audit entry with the row as JSON; `INSERT` the outbox event ' +
      '(its seq from the transaction id, as the server\'s); `COMMIT`. **Locked:** the same with `SELECT pg_advisory_xact_lock(…)` on the old outbox key ' +
      'before the event, held to commit, as every writer did before the outbox went lock-free. **Plain:** one autocommitted `INSERT` of the report, ' +
      "dated a year back so that its thousands of rows a second do not swell today's figures, which the subscribers' live values sum.",
  );
  push(
    `- Each round runs every variant for the same time; a \`CHECKPOINT\` precedes each phase; an unmeasured ${options.warmupSeconds} s warm-up per variant ` +
      'precedes round 1. Throughput is right answers ÷ time from the first request to the last answer.',
  );
  push('');

  push('## Note');
  push('');
  for (const paragraph of notes(result)) push(paragraph, '');
  return lines.join('\n');
}

function cliFlags(options: ReportingBenchResult['options']): string {
  if (options.rounds === 2 && options.seconds === 3 && options.concurrency === 16 && options.subscribers === 100) return ' --quick';
  const flags: string[] = [];
  if (options.rounds !== 5) flags.push(`--rounds ${options.rounds}`);
  if (options.seconds !== 10) flags.push(`--seconds ${options.seconds}`);
  if (options.concurrency !== 16) flags.push(`--concurrency ${options.concurrency}`);
  if (options.subscribers !== 100) flags.push(`--subscribers ${options.subscribers}`);
  return flags.length ? ` ${flags.join(' ')}` : '';
}

/** CPU per report of the processes this benchmark accounts for (null when PostgreSQL's could not be read). */
const attributed = (m: VariantSummary) => (m.postgresMsPerReport === null ? null : m.postgresMsPerReport + (m.serverMsPerReport ?? 0) + m.benchMsPerReport);

/** The reading of the numbers; the parts that depend on them are worked out from them. */
function notes(result: ReportingBenchResult): string[] {
  const { medians, ratios } = result;
  const out: string[] = [];
  const ours = attributed(medians.ours);
  const raw = attributed(medians.lockFree);
  if (ours !== null && raw !== null) {
    out.push(
      `- **Where ours ÷ lock-free stands.** A report through the API cost ${n2(ours)} ms of CPU across PostgreSQL, both servers and the load generator ` +
        `(servers ${ms(medians.ours.serverMsPerReport)}, PostgreSQL ${ms(medians.ours.postgresMsPerReport)}); the raw lock-free transaction ${n2(raw)} ms. ` +
        (medians.ours.machineBusy > 0.9
          ? 'The cores were saturated, so reports per second follow CPU per report: the ratio is roughly the inverse ratio of those costs. '
          : 'The cores were not saturated throughout, so part of the time goes to waiting (commits, round trips). ') +
        'The database side of a report is one statement (report, audit entry and event together); what remains on top of raw `pg` is HTTP, GraphQL ' +
        '(parse cache, validation, variables, the access checks and guards every operation passes) and the live work a commit starts: the outbox ' +
        'follower reading the new event and the subscribers\' updates.',
    );
  }
  const perSecond = (m: VariantSummary, msPerReport: number | null) => (msPerReport === null ? null : (m.perSecond * msPerReport) / 1000);
  const pgOurs = perSecond(medians.ours, medians.ours.postgresMsPerReport);
  const pgRaw = perSecond(medians.lockFree, medians.lockFree.postgresMsPerReport);
  if (result.subscribers.size && pgOurs !== null && pgRaw !== null) {
    out.push(
      `- **What the subscribers cost.** PostgreSQL's backends used ${n2(pgOurs)} s of CPU per second during ours (1 instance) and ${n2(pgRaw)} s during ` +
        'raw lock-free, although raw wrote several times as many reports: most of it is the live work the subscribers ask for, about the same per ' +
        'second whatever the rate (live values are recomputed at most every 250 ms per key and instance once reports keep coming, and each ' +
        `update of a screen re-reads its checkpoints per subscriber), and on ${result.machine.cores} cores it leaves the writes what remains. ` +
        'Without subscribers (`--subscribers 0`, `reporting-no-subscribers.md`) the same writes cost a fraction of it; the fan-out work of the ' +
        'issue (one execution per distinct subscription, no per-subscriber reads) is what brings this figure towards that one.',
    );
  }
  out.push(
    `- **Two instances.** With the outbox lock gone nothing serialises the writers of different instances: 2 instances ÷ 1 = ${n2(ratios.scaling.median)}. ` +
      (medians.ours2.machineBusy > 0.9
        ? `On ${result.machine.cores} shared cores that were already busy with one instance, a second instance can only add what idle CPU was left; ` +
          'the ratio measures that, and the lock no longer caps it.'
        : 'The cores had room left, and the second instance used it.'),
  );
  const locked = medians.locked.sessions;
  out.push(
    `- **The old lock, for reference.** Raw \`pg\` under the outbox lock did ${n0(medians.locked.perSecond)} reports/s against ${n0(medians.lockFree.perSecond)} without it ` +
      `(${n1(locked.waitingForLock)} sessions waiting for the lock on average): the lock held every commit's WAL flush one after the other.`,
  );
  const noisiest = Math.max(...Object.values(medians).map((m) => m.otherShare));
  out.push(
    noisiest > 0.1
      ? `- **A shared machine.** Up to ${pct(noisiest)} of the machine went to processes outside this benchmark during the phases (median per variant); ` +
          'the alternating order spreads that over the variants, but the per-round ratios show how much it moved them.'
      : `- **A quiet machine.** At most ${pct(noisiest)} of the machine went to anything outside this benchmark during the phases (median per variant).`,
  );
  out.push(
    '- All variants insert into the same tables, which grow through the run; the alternating order spreads that too. Absolute numbers belong to this ' +
      'machine and this moment: compare ratios from one run.',
  );
  return out;
}
