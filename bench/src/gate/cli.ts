// node --import tsx bench/src/gate/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--batch B] [--passes P]
import { parseCountFlags } from '../shared/args.ts';
import { writeResults } from '../shared/paths.ts';
import { type GateBenchOptions, runGateBench } from './bench.ts';

const usage = 'usage: gate/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--batch B] [--passes P]';

// --quick is a smoke run: one short round per side, small batches.
const parseArgs = (argv: string[]): GateBenchOptions =>
  parseCountFlags<GateBenchOptions>(
    argv,
    usage,
    { '--rounds': 'rounds', '--seconds': 'seconds', '--concurrency': 'concurrency', '--batch': 'batch', '--passes': 'passes' },
    { rounds: 1, seconds: 1, concurrency: 2, batch: 50, passes: 5 },
  );

async function main(): Promise<void> {
  const result = await runGateBench(parseArgs(process.argv.slice(2)));
  const file = writeResults('gate', result.markdown, { quick: process.argv.includes('--quick') });
  process.stdout.write(`${result.valid ? 'valid' : 'INVALID'}: ${result.oursPerSecond.toFixed(0)} scans/s, ours ÷ raw pg ${result.ratio.toFixed(3)}\nwritten to ${file}\n`);
  if (!result.valid) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`gate bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
