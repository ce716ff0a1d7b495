// node --import tsx bench/src/alerts/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--samples K]
import { writeResults } from '../shared/paths.ts';
import { type AlertsBenchOptions, runAlertsBench } from './bench.ts';

const usage = 'usage: alerts/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--samples K]';

function parseArgs(argv: string[]): AlertsBenchOptions {
  const options: AlertsBenchOptions = {};
  const positive = (flag: string, value: string | undefined) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`${flag} takes a whole number ≥ 1, not ${value ?? '(nothing)'}\n${usage}`);
    return number;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    // --quick is a smoke run: one short pair and a few latency samples.
    if (flag === '--quick') Object.assign(options, { rounds: options.rounds ?? 1, seconds: options.seconds ?? 2, latencySamples: options.latencySamples ?? 5 });
    else if (flag === '--rounds') options.rounds = positive(flag, argv[++i]);
    else if (flag === '--seconds') options.seconds = positive(flag, argv[++i]);
    else if (flag === '--concurrency') options.concurrency = positive(flag, argv[++i]);
    else if (flag === '--samples') options.latencySamples = positive(flag, argv[++i]);
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}\n${usage}`);
  }
  return options;
}

async function main(): Promise<void> {
  const result = await runAlertsBench(parseArgs(process.argv.slice(2)));
  const file = writeResults('alerts', result.markdown, { quick: process.argv.includes('--quick') });
  const { latency } = result;
  process.stdout.write(
    `${result.valid ? 'valid' : 'INVALID'}: all rules ÷ none ${result.ratio.toFixed(2)}; report → subscriber p50 ${latency.sendP50} ms, p99 ${latency.sendP99} ms\nwritten to ${file}\n`,
  );
  if (!result.valid) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`alerts bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
