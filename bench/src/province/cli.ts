// pnpm bench:province [--quick] [--subscribers N] [--rate N] [--rounds N] [--seconds N] [--checkpoints N] [--days N]
// A simulated province (18 cities, ~10,000 checkpoints, ~1,000 lines, a month of hourly history) in a
// database of its own, two instances on PostgreSQL + Redis, 167 reports/s with 5,000 WebSocket
// subscribers attached; writes bench/results/province.md. Building the month takes about a minute
// a day on a busy 2-core machine: BENCH_KEEP_DATABASE=1 keeps the database, and
// BENCH_PROVINCE_DATABASE_URL=<its URL> reuses it (the same --checkpoints).
import { parseCountFlags } from '../shared/args.ts';
import { yesterdayInShanghaiAt } from '../shared/clock.ts';
import { writeResults } from '../shared/paths.ts';
import { type ProvinceOptions, runProvinceBench } from './bench.ts';
import { provinceReport } from './report.ts';

const usage = 'usage: province/cli.ts [--quick] [--subscribers N] [--rate N] [--rounds N] [--seconds N] [--checkpoints N] [--lines N] [--days N]';

interface Flags {
  subscribers: number;
  rate: number;
  rounds: number;
  seconds: number;
  checkpoints: number;
  lines: number;
  days: number;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const flags = parseCountFlags<Flags>(
    process.argv.slice(2),
    usage,
    { '--subscribers': 'subscribers', '--rate': 'rate', '--rounds': 'rounds', '--seconds': 'seconds', '--checkpoints': 'checkpoints', '--lines': 'lines', '--days': 'days' },
    { subscribers: 60, rate: 20, rounds: 2, seconds: 2, checkpoints: 200, lines: 20, days: 1 },
  );
  const options: ProvinceOptions = {
    shape: { cities: 18, districtsPerCity: 6, communitiesPerDistrict: 10, checkpoints: flags.checkpoints ?? 10_000, lines: flags.lines ?? 1_000, days: flags.days ?? 30 },
    subscribers: flags.subscribers ?? 5_000,
    rate: flags.rate ?? 167,
    rounds: flags.rounds ?? 5,
    seconds: flags.seconds ?? 20,
    summaryIntervalMs: 1000,
    postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    // The smoke runs on a demo clock at noon, so "today" holds its reports at any hour. A built
    // province runs at 23:00 of yesterday (Asia/Shanghai), its history ending there: "today" holds 23
    // hours of reports whatever the hour of the run (on the real clock a run just after local midnight
    // summed an almost empty day). A reused one runs on the real clock: its history ends where it was built.
    clockStart: quick
      ? new Date('2020-02-10T12:00:00+08:00')
      : process.env.BENCH_PROVINCE_DATABASE_URL
        ? undefined
        : new Date(yesterdayInShanghaiAt('23:00')),
    reuseUrl: process.env.BENCH_PROVINCE_DATABASE_URL,
    keep: process.env.BENCH_KEEP_DATABASE === '1',
    log: (line) => process.stderr.write(`${line}\n`),
  };
  const result = await runProvinceBench(options);
  const file = writeResults('province', provinceReport(result, { quick }), { quick });
  process.stdout.write(`written to ${file}\n`);
  if (result.problems.length) {
    process.stderr.write(`${result.problems.join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`province bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
