// `pnpm bench:history` — reads against a growing history: the same reads on a database of 10,000
// reports and one of 1,000,000, loaded in alternation; writes bench/results/history.md.
//   --rounds N      rounds (default 5); each read is loaded on both sides in every round, the side
//                   that goes first alternating
//   --duration S    seconds of load per read and side in each round (default 5)
//   --connections C concurrent connections (default 10)
//   --quick         a smoke run (what `pnpm test` runs): 5,000 vs 50,000 reports, 2 rounds × 1 s;
//                   writes history.quick.tmp, never the committed table
// BENCH_POSTGRES_URL names the server to create the throwaway databases on
// (default postgres://postgres@127.0.0.1:5432/postgres).
import os from 'node:os';
import { parseArgs } from 'node:util';
import { positive } from '../shared/args.ts';
import { describeMachine, machineLine } from '../shared/machine.ts';
import { repoRoot, writeResults } from '../shared/paths.ts';
import { median } from '../shared/stats.ts';
import { runHistory, type HistorySettings } from './bench.ts';


async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { rounds: { type: 'string' }, duration: { type: 'string' }, connections: { type: 'string' }, quick: { type: 'boolean', default: false } },
  });
  const quick = values.quick ?? false;
  const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const settings: HistorySettings = {
    rounds: Math.round(positive('rounds', values.rounds, quick ? 2 : 5)),
    secondsPerRead: positive('duration', values.duration, quick ? 1 : 5),
    connections: Math.round(positive('connections', values.connections, 10)),
    sizes: quick ? { small: 20_000, large: 50_000 } : { small: 10_000, large: 1_000_000 },
    extraCheckpoints: 492,
    clockStart: '2020-02-07T10:30:00+08:00',
    repoRoot,
    adminUrl,
  };
  const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
  const startedAt = new Date();
  const machine = await describeMachine(adminUrl);
  const run = await runHistory(settings, log);
  const finishedAt = new Date();

  const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
  const lines = [
    `# Reads against history: ${run.large.toLocaleString('en')} reports ÷ ${run.small.toLocaleString('en')} reports`,
    '',
    quick ? '**A --quick smoke run: too short to quote.**\n' : '',
    `- Machine: ${machineLine(machine)}`,
    `- Date: ${startedAt.toISOString()} (took ${Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000)} s); ` +
      `1-minute load average ${machine.loadAverage.toFixed(1)} at the start, ${(os.loadavg()[0] ?? 0).toFixed(1)} at the end`,
    `- Two PostgreSQL databases that differ only in history: the seed's reference data, ${settings.extraCheckpoints} extra synthetic ` +
      'checkpoints (bench databases only) with four hourly reports each, and the rest as hourly reports of the eight seed checkpoints ' +
      `back from the clock's day. One Fangkong server per database (FANGKONG_TRACE_SQL=1 on both), an analyst token each.`,
    `- ${settings.rounds} rounds; in each, every read gets ${settings.secondsPerRead} s of load on each side, the side going first ` +
      `alternating; ${settings.connections} connections; every response body checked against that side's own first answer.`,
    '',
    '## Throughput, large history ÷ small history (medians of clean rounds)',
    '',
    '| read | small: req/s | large: req/s | small p99 ms | large p99 ms | errors | large ÷ small | rounds |',
    '|---|---|---|---|---|---|---|---|',
  ];
  let clean = true;
  for (const { read, rounds } of run.results) {
    const valid = rounds.filter((r) => Number.isFinite(r.ratio));
    const errors = rounds.reduce((sum, r) => sum + r.small.errors + r.small.mismatches + r.large.errors + r.large.mismatches, 0);
    if (errors > 0 || valid.length === 0) clean = false;
    const m = (pick: (r: (typeof rounds)[number]) => number) => median(valid.map(pick));
    lines.push(
      `| ${read.label} | ${fixed(m((r) => r.small.requestsPerSecond), 0)} | ${fixed(m((r) => r.large.requestsPerSecond), 0)} | ` +
        `${fixed(m((r) => r.small.p99), 0)} | ${fixed(m((r) => r.large.p99), 0)} | ${errors} | **${fixed(median(valid.map((r) => r.ratio)), 2)}** | ` +
        `${valid.map((r) => r.ratio.toFixed(2)).join(', ')} |`,
    );
  }
  lines.push(
    '',
    '## SQL statements per request: `checkpoints(first: N) { lastReportAt today reports(first: 3) { totalCount edges } }`',
    '',
    '| page size | statements, small history | statements, large history |',
    '|---|---|---|',
    ...run.statements.map((s) => `| ${s.pageSize} | ${s.small} | ${s.large} |`),
    '',
  );
  const file = writeResults('history', lines.filter((l, i) => l !== '' || lines[i - 1] !== '').join('\n'), { quick });
  log(`wrote ${file}`);
  return clean ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[bench] ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
