// node --import tsx bench/src/reporting/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C]
import { type ReportingBenchOptions, runReportingBench } from './bench.ts';
import { writeResults } from '../shared/paths.ts';

const usage = 'usage: reporting/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C]';

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
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}\n${usage}`);
  }
  return options;
}

async function main(): Promise<void> {
  const result = await runReportingBench(parseArgs(process.argv.slice(2)));
  const resultsFile = writeResults('reporting', result.markdown, { quick: process.argv.includes('--quick') });
  const { ratios, medians } = result;
  process.stdout.write(
    `${result.valid ? 'valid' : 'INVALID'}: ours ${Math.round(medians.ours.perSecond)}/s, (a) ${Math.round(medians.plain.perSecond)}/s, ` +
      `(b) ${Math.round(medians.transaction.perSecond)}/s; ours ÷ (a) ${ratios.plain.median.toFixed(2)}, ours ÷ (b) ${ratios.transaction.median.toFixed(2)}\n` +
      `written to ${resultsFile}\n`,
  );
  if (!result.valid) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`reporting bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
