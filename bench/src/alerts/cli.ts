// node --import tsx bench/src/alerts/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--samples K]
import { parseCountFlags } from '../shared/args.ts';
import { writeResults } from '../shared/paths.ts';
import { type AlertsBenchOptions, runAlertsBench } from './bench.ts';

const usage = 'usage: alerts/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--samples K]';

// --quick is a smoke run: one short pair and a few latency samples.
const parseArgs = (argv: string[]): AlertsBenchOptions => parseCountFlags<AlertsBenchOptions>(argv, usage, { '--rounds': 'rounds', '--seconds': 'seconds', '--concurrency': 'concurrency', '--samples': 'latencySamples' }, { rounds: 1, seconds: 2, latencySamples: 5 });

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
