// node --import tsx bench/src/webhooks/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--endpoints E] [--delay-ms D]
import { parseCountFlags } from '../shared/args.ts';
import { writeResults } from '../shared/paths.ts';
import { runWebhooksBench, type WebhooksBenchOptions } from './bench.ts';

const usage = 'usage: webhooks/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--endpoints E] [--delay-ms D]';

// --quick is a smoke run: one short pair.
const parseArgs = (argv: string[]): WebhooksBenchOptions => parseCountFlags<WebhooksBenchOptions>(argv, usage, { '--rounds': 'rounds', '--seconds': 'seconds', '--concurrency': 'concurrency', '--endpoints': 'endpoints', '--delay-ms': 'delayMs' }, { rounds: 1, seconds: 2 });

async function main(): Promise<void> {
  const result = await runWebhooksBench(parseArgs(process.argv.slice(2)));
  const file = writeResults('webhooks', result.markdown, { quick: process.argv.includes('--quick') });
  process.stdout.write(`${result.valid ? 'valid' : 'INVALID'}: slow endpoints ÷ paused ${result.ratio.toFixed(2)}\nwritten to ${file}\n`);
  if (!result.valid) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`webhooks bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
