// node --import tsx bench/src/live/cli.ts [--quick] [--runs N] [--only latency,throughput,fanout,idle,hop]
// Mutation → subscriber latency (WS, SSE; 1, 100, 1,000 subscribers), delivered messages/s at
// 1,000 WS subscribers ÷ a raw `ws` broadcast, RSS per idle subscriber, and the Redis hop between
// two instances; writes bench/results/live.md. About 6–8 minutes; --quick is a one-run smoke test.
// BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) and BENCH_REDIS_URL
// (default redis://127.0.0.1:6379) name the services.
import { parseArgs } from 'node:util';
import { LIVE_PHASES, type LivePhase, liveSettings, runLiveBench } from './bench.ts';
import { liveReport } from './report.ts';
import { writeResults } from '../shared/paths.ts';


async function main(): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, runs: { type: 'string' }, only: { type: 'string' } } });
  const settings = liveSettings(values.quick ?? false);
  if (values.only !== undefined) {
    const phases = values.only.split(',').map((p) => p.trim());
    const unknown = phases.filter((p) => !(LIVE_PHASES as readonly string[]).includes(p));
    if (unknown.length || !phases.length) throw new Error(`--only takes phases among ${LIVE_PHASES.join(', ')}, not "${values.only}"`);
    settings.phases = phases as LivePhase[];
  }
  if (values.runs !== undefined) {
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs takes a whole number ≥ 1, not "${values.runs}"`);
    settings.runs = runs;
  }
  const result = await runLiveBench(settings);
  const resultsFile = writeResults('live', liveReport(result), { quick: values.quick ?? false });
  for (const failure of result.failures) process.stderr.write(`live bench failure: ${failure}\n`);
  process.stdout.write(`${result.failures.length ? `${result.failures.length} failure(s); ` : ''}written to ${resultsFile} (${Math.round(result.seconds)} s)\n`);
  if (result.failures.length) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`live bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
