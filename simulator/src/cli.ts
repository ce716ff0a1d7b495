// `pnpm simulate …`: runs the simulator until Ctrl-C (live), its last hour (replay) or --duration,
// printing a status line every few seconds and the totals at the end.
import { type CliOptions, parseCommandLine, usage, UsageError } from './args.ts';
import { type Simulator, SimulatorError, startSimulator } from './simulator.ts';
import { summary } from './status.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const fail = (message: string, code: number): never => {
  process.stderr.write(`fangkong-simulate: ${message}\n`);
  process.exit(code);
};

function main(): void {
  let options: CliOptions;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    if (error instanceof UsageError) fail(`${error.message} (see --help)`, 2);
    throw error;
  }
  if (options.help) {
    say(usage);
    return;
  }
  let simulator: Simulator;
  try {
    simulator = startSimulator({ ...options, log: say });
  } catch (error) {
    if (error instanceof SimulatorError) fail(`${error.message} (see --help)`, 2);
    throw error;
  }

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) fail(`${signal} again: exiting without waiting for requests in flight`, 130);
    say(`${signal}: stopping; finishing the requests in flight (${signal} again to quit at once)`);
    void simulator.stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  simulator.done.then(
    (totals) => {
      for (const line of summary(totals, totals.ended === 'complete' ? 'complete' : totals.ended ?? 'stopped')) say(line);
      process.exit(0);
    },
    (error: unknown) => fail(error instanceof SimulatorError ? error.message : ((error as Error)?.stack ?? String(error)), 1),
  );
}

main();
