// node --import tsx bench/src/reporting/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--subscribers N]
import { type ReportingBenchOptions, runReportingBench } from './bench.ts';
import { writeResults } from '../shared/paths.ts';

const usage = 'usage: reporting/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--subscribers N]';

function parseArgs(argv: string[]): ReportingBenchOptions {
  // --quick is a smoke run: two short rounds, enough to see the numbers are sane.
  const options: ReportingBenchOptions = {};
  const positive = (flag: string, value: string | undefined) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`${flag} takes a whole number ≥ 1, not ${value ?? '(nothing)'}\n${usage}`);
    return number;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quick') Object.assign(options, { rounds: options.rounds ?? 2, seconds: options.seconds ?? 3, warmupSeconds: 1 });
    else if (flag === '--rounds') options.rounds = positive(flag, argv[++i]);
    else if (flag === '--seconds') options.seconds = positive(flag, argv[++i]);
    else if (flag === '--concurrency') options.concurrency = positive(flag, argv[++i]);
    else if (flag === '--subscribers') {
      // 0 measures the write path alone, without the live work subscribers add to every commit.
      const value = argv[++i];
      options.subscribers = value === '0' ? 0 : positive(flag, value);
    }
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}\n${usage}`);
  }
  return options;
}

async function main(): Promise<void> {
  const result = await runReportingBench(parseArgs(process.argv.slice(2)));
  // The goal's figure (100 subscribers) is reporting.md; other numbers of subscribers get a table of their own.
  const subscribers = result.options.subscribers;
  const name = subscribers === 100 ? 'reporting' : subscribers === 0 ? 'reporting-no-subscribers' : `reporting-${subscribers}-subscribers`;
  const resultsFile = writeResults(name, result.markdown, { quick: process.argv.includes('--quick') });
  const { ratios, medians } = result;
  const serverCpu = medians.ours2.serverMsPerReport;
  process.stdout.write(
    `${result.valid ? 'valid' : 'INVALID'}: ours ${Math.round(medians.ours.perSecond)}/s, 2 instances ${Math.round(medians.ours2.perSecond)}/s, ` +
      `raw lock-free ${Math.round(medians.lockFree.perSecond)}/s; ours ÷ lock-free ${ratios.lockFree.median.toFixed(2)}, 2 ÷ 1 instances ${ratios.scaling.median.toFixed(2)}, ` +
      `server CPU per report (2 instances) ${serverCpu === null ? 'n/a' : `${serverCpu.toFixed(2)} ms`}; load average ${result.loadAverage.start.toFixed(1)} → ${result.loadAverage.end.toFixed(1)}\n` +
      `written to ${resultsFile}\n`,
  );
  if (!result.valid) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`reporting bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
