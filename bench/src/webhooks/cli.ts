// node --import tsx bench/src/webhooks/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--endpoints E] [--delay-ms D]
import { writeResults } from '../shared/paths.ts';
import { runWebhooksBench, type WebhooksBenchOptions } from './bench.ts';

const usage = 'usage: webhooks/cli.ts [--quick] [--rounds N] [--seconds S] [--concurrency C] [--endpoints E] [--delay-ms D]';

function parseArgs(argv: string[]): WebhooksBenchOptions {
  const options: WebhooksBenchOptions = {};
  const positive = (flag: string, value: string | undefined) => {
    const number = Number(value);
    if (!Number.isInteger(number) || number < 1) throw new Error(`${flag} takes a whole number ≥ 1, not ${value ?? '(nothing)'}\n${usage}`);
    return number;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    // --quick is a smoke run: one short pair.
    if (flag === '--quick') Object.assign(options, { rounds: options.rounds ?? 1, seconds: options.seconds ?? 2 });
    else if (flag === '--rounds') options.rounds = positive(flag, argv[++i]);
    else if (flag === '--seconds') options.seconds = positive(flag, argv[++i]);
    else if (flag === '--concurrency') options.concurrency = positive(flag, argv[++i]);
    else if (flag === '--endpoints') options.endpoints = positive(flag, argv[++i]);
    else if (flag === '--delay-ms') options.delayMs = positive(flag, argv[++i]);
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${flag}\n${usage}`);
  }
  return options;
}

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
