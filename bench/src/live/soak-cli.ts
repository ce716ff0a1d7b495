// node --import tsx bench/src/live/soak-cli.ts [--quick] [--subscribers N] [--events N] [--steps N] [--rounds N] [--prefill N]
// Heap kept per event per connected `events` subscriber (WS and SSE) against the same server with
// one attached (the control); writes bench/results/live-soak.md. Defaults: 500 subscribers, 1,000 reports per side
// in 4 steps, 5 rounds, about 20 minutes (issue 21's soak: --subscribers 1000 --events 100000, hours
// on a 2-core machine). --quick is a smoke.
import { parseCountFlags } from '../shared/args.ts';
import { writeResults } from '../shared/paths.ts';
import { runSoak, type SoakOptions, soakOptions, soakReport } from './soak.ts';

const usage = 'usage: live/soak-cli.ts [--quick] [--subscribers N] [--events N] [--steps N] [--rounds N] [--prefill N]';

async function main(): Promise<void> {
  const flags = parseCountFlags<SoakOptions>(process.argv.slice(2), usage, { '--subscribers': 'subscribers', '--events': 'events', '--steps': 'steps', '--rounds': 'rounds', '--prefill': 'prefill' }, { subscribers: 20, events: 60, steps: 3, rounds: 1, prefill: 0 });
  if (flags.subscribers === 1) throw new Error(`--subscribers must be at least 2: one subscriber is the control\n${usage}`);
  const result = await runSoak(soakOptions(flags));
  const file = writeResults('live-soak', soakReport(result), { quick: process.argv.includes('--quick') });
  process.stdout.write(`${result.retained.map((r) => `${r.transport}: ${r.median.toFixed(2)} bytes kept per subscriber per event`).join('; ')}\nwritten to ${file}\n`);
  if (result.problems.length) {
    process.stderr.write(`${result.problems.join('\n')}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`soak bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
