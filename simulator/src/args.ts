// The command line: `pnpm simulate --url <api> --token <token> [options]`, checked before anything runs.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { SimulatorOptions } from './simulator.ts';

export const usage = `Usage: pnpm simulate --url <graphql url> --token <operator token> [options]

Reports simulated checkpoint counts and production output to a Fangkong server through its public
GraphQL API. Everything it writes is marked source SIMULATED.

  --url <url>           the GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql
  --token <token>       an operator token, sent as "Authorization: Bearer <token>"; or set
                        FANGKONG_TOKEN (keeps it out of the process list and pnpm's echo)
  --rate <n>            at most n write requests a second, retries included (default 8;
                        servers allow a token 600 operations a minute by default)
  --speed <x>           simulated time per real time (default 60 live: a day's rhythm in 24 min;
                        360 replay: a day in 4 min)
  --replay <day>        replay that local day hour by hour (e.g. 2020-02-04) instead of live;
                        deterministic keys, so a second replay adds nothing
  --duration <s>        stop after s seconds (live runs until Ctrl-C, a replay until its last hour)
  --duplicates <f>      share of reports sent twice with the same idempotency key (default 0.05)
  --no-line-incidents   never move lines to idle or halted (live mode)
  --concurrency <n>     requests in flight at once (default 4)
  --status-every <s>    seconds between status lines (default 5)
  -h, --help            this text

Live mode reports the real time slice since each site's last report, every reportIntervalMinutes
/ speed; figures are sized to that slice, the daily rhythm follows the sped-up clock.`;

/** A command line that cannot run; the message is the whole explanation. */
export class UsageError extends Error {}

export type CliOptions = { help: true } | ({ help: false } & SimulatorOptions);

const OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  rate: { type: 'string' },
  speed: { type: 'string' },
  replay: { type: 'string' },
  duration: { type: 'string' },
  duplicates: { type: 'string' },
  'no-line-incidents': { type: 'boolean' },
  concurrency: { type: 'string' },
  'status-every': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  let parsed: ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: false; strict: true; options: typeof OPTIONS }>>;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: false, strict: true, options: OPTIONS });
  } catch (error) {
    // parseArgs explains well but at length; keep its first sentence.
    throw new UsageError((error as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, ''));
  }
  const v = parsed.values;
  if (v.help) return { help: true };
  if (!v.url) throw new UsageError('--url is required, e.g. --url http://127.0.0.1:4000/graphql');
  const token = v.token ?? env.FANGKONG_TOKEN?.trim();
  if (!token) throw new UsageError('--token (or FANGKONG_TOKEN) is required: an operator token for the Authorization header');
  const statusEvery = number('--status-every', v['status-every'], { min: 0.1 });
  return {
    help: false,
    url: v.url,
    token,
    rate: number('--rate', v.rate, { min: 0.1, max: 10_000 }),
    speed: number('--speed', v.speed, { min: 0.01, max: 1_000_000 }),
    replay: v.replay,
    durationSeconds: number('--duration', v.duration, { min: 0.1 }),
    duplicateFraction: number('--duplicates', v.duplicates, { min: 0, max: 1 }),
    lineIncidents: !v['no-line-incidents'],
    concurrency: number('--concurrency', v.concurrency, { min: 1, max: 64, integer: true }),
    statusIntervalMs: statusEvery === undefined ? undefined : statusEvery * 1000,
  };
}

function number(name: string, text: string | undefined, { min = -Infinity, max = Infinity, integer = false } = {}): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  const what = integer ? 'a whole number' : 'a number';
  if (text.trim() === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) throw new UsageError(`${name} must be ${what}, not "${text}"`);
  if (value < min || value > max) throw new UsageError(`${name} must be ${what} from ${min} to ${max}, not ${text}`);
  return value;
}
