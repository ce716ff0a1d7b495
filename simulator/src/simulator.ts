// startSimulator: the whole simulator behind one call, for the CLI and for running it in-process.
import { randomBytes } from 'node:crypto';
import { ApiClient, ApiError } from './api-client.ts';
import { freshRandom } from './random.ts';
import { RateLimiter } from './rate-limiter.ts';
import { type CheckpointInfo, type LineInfo, loadCheckpoints, loadLines, readServerClock } from './reference-data.ts';
import { checkReplayDay, startReplay } from './replay.ts';
import { Reporter } from './reporter.ts';
import { type AlertConditions, startLive } from './live.ts';
import type { ModeRun, RunContext } from './run-context.ts';
import { copyTotals, emptyTotals, StatusLine, type Totals } from './status.ts';
import { isCalendarDay } from '@fangkong/zone';

export interface SimulatorOptions {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** An operator's token, sent as `Authorization: Bearer <token>` on every request. */
  token: string;
  /** At most this many write requests a second: reports, retries, resends, status changes. Servers
   * allow 600 operations a minute per token by default, hence 8. @default 8 */
  rate?: number;
  /** Simulated time per real time. @default 60 live, 360 replay */
  speed?: number;
  /** Replay this local day (YYYY-MM-DD) instead of reporting live. */
  replay?: string;
  /** Stop after this many seconds; otherwise live runs until stopped and a replay until its last hour. */
  durationSeconds?: number;
  /** Share of reports sent a second time with the same idempotency key. @default 0.05 */
  duplicateFraction?: number;
  /** Let lines go idle or halt now and then, and bring them back (live mode). @default true */
  lineIncidents?: boolean;
  /** Live mode: now and then a fever case at 迎宾路 and a silent gate, for the alerts (see LiveOptions). @default off */
  alertConditions?: AlertConditions;
  /** Reports in flight at once. @default 4 */
  concurrency?: number;
  /** A status line this often; 0 for none. @default 5000 */
  statusIntervalMs?: number;
  /** Where status lines and notes go. @default nowhere */
  log?: (line: string) => void;
  /** One attempt's time limit. @default 15000 */
  requestTimeoutMs?: number;
  /** Attempts per request before giving up. @default 6 */
  maxAttempts?: number;
}

export type EndReason = 'complete' | 'duration reached' | 'stopped';

export interface SimulatorTotals extends Totals {
  /** Why the run ended; absent while it runs. */
  ended?: EndReason;
}

export interface Simulator {
  /** Resolves once the reference data is read and reports are going out; rejects with a SimulatorError. */
  ready: Promise<void>;
  /** Resolves with the totals when the run ends (replay complete, duration reached or stop()); rejects like `ready`. */
  done: Promise<SimulatorTotals>;
  /** Stops scheduling, lets requests in flight finish, returns lines it moved to PRODUCING, resolves with the totals. */
  stop(): Promise<SimulatorTotals>;
  /** The totals so far. */
  totals(): SimulatorTotals;
}

/** The simulator cannot run: bad options, an unreachable URL, a server that is not Fangkong. */
export class SimulatorError extends Error {}

export function startSimulator(options: SimulatorOptions): Simulator {
  checkOptions(options);
  const replayDay = options.replay;
  const speed = options.speed ?? (replayDay ? 360 : 60);
  const rate = options.rate ?? 8;
  const log = options.log ?? (() => {});
  const totals: SimulatorTotals = emptyTotals(replayDay ? 'replay' : 'live');
  const limiter = new RateLimiter(rate);
  const client = new ApiClient({
    url: options.url,
    token: options.token,
    limiter,
    timeoutMs: options.requestTimeoutMs,
    maxAttempts: options.maxAttempts,
    onRequest: () => totals.requests++,
    onRetry: () => totals.retries++,
  });
  const rand = freshRandom();
  const reporter = new Reporter(client, totals, { duplicateFraction: options.duplicateFraction ?? 0.05, rand });
  const timers: NodeJS.Timeout[] = [];
  let sendingSince: number | undefined;
  let mode: ModeRun | undefined;
  let ending: Promise<SimulatorTotals> | undefined;
  let announceEnd: (totals: Promise<SimulatorTotals>) => void = () => {};
  const ended = new Promise<SimulatorTotals>((resolve) => (announceEnd = resolve));

  const snapshot = (): SimulatorTotals => {
    if (sendingSince !== undefined && !totals.ended) totals.elapsedSeconds = (performance.now() - sendingSince) / 1000;
    return copyTotals(totals);
  };

  const ready = (async () => {
    const clock = await readServerClock(client).catch((error: unknown) => {
      throw new SimulatorError(unreachable(options.url, error));
    });
    const now = () => Date.now() + clock.offsetMs;
    if (clock.source === 'local') log(`note: the server does not tell its clock (older than Query.clock); using this machine's clock and ${clock.timeZone}`);
    if (replayDay) {
      const problem = checkReplayDay(replayDay, clock.timeZone, now());
      if (problem) throw new SimulatorError(problem);
    }
    let checkpoints: CheckpointInfo[];
    let lines: LineInfo[];
    try {
      [checkpoints, lines] = await Promise.all([loadCheckpoints(client), loadLines(client)]);
    } catch (error) {
      throw new SimulatorError(`${options.url}: could not read checkpoints and production lines: ${(error as Error).message}`);
    }
    if (!checkpoints.length && !lines.length) throw new SimulatorError(`${options.url}: the server has no checkpoints and no production lines to simulate`);
    if (ending) return;
    const ctx: RunContext = {
      client,
      reporter,
      totals,
      now,
      timeZone: clock.timeZone,
      rand,
      runId: randomBytes(4).toString('hex'),
      concurrency: options.concurrency ?? 4,
      note: (line) => log(`note: ${line}`),
    };
    const target = new URL(options.url).host;
    log(
      `${replayDay ? `replaying ${replayDay}` : 'simulating live'} against ${options.url}: ${checkpoints.length} checkpoints, ${lines.length} production lines; ` +
        `speed ×${speed}, at most ${rate} requests/s, ${Math.round((options.duplicateFraction ?? 0.05) * 100)}% sent twice` +
        `${clock.offsetMs ? `; server clock ${clock.offsetMs > 0 ? '+' : ''}${Math.round(clock.offsetMs / 1000)} s from ours` : ''}`,
    );
    sendingSince = performance.now();
    mode = replayDay
      ? startReplay(ctx, checkpoints, lines, { day: replayDay, speed })
      : startLive(ctx, checkpoints, lines, { speed, lineIncidents: options.lineIncidents ?? true, alertConditions: options.alertConditions });
    const statusLine = new StatusLine(`${totals.mode} → ${target}`, rate);
    const every = options.statusIntervalMs ?? 5000;
    if (every > 0) timers.push(setInterval(() => log(statusLine.format(snapshot(), mode!.where(), mode!.extra())), every));
    if (options.durationSeconds !== undefined) timers.push(setTimeout(() => void end('duration reached'), options.durationSeconds * 1000));
    mode.finished.then(
      () => void end('complete'),
      (error: unknown) => {
        log(`note: replay stopped: ${(error as Error).message}`);
        void end('complete');
      },
    );
  })();

  function end(why: EndReason): Promise<SimulatorTotals> {
    ending ??= (async () => {
      for (const timer of timers) clearTimeout(timer);
      await ready.catch(() => {});
      // Order matters: no resends, no long backoffs, no new first attempts; then let the rest finish.
      reporter.stop();
      client.stop();
      limiter.close();
      await mode?.stop();
      const final = snapshot();
      totals.ended = final.ended = why;
      return final;
    })();
    announceEnd(ending);
    return ending;
  }

  // A run that ends by itself (replay complete, duration reached) resolves `done` as stop() does.
  const done = ready.then(() => ended);
  // Callers may watch only one of the two; neither should surface as an unhandled rejection.
  ready.catch(() => {});
  done.catch(() => {});

  return {
    ready,
    done,
    stop: () => end('stopped'),
    totals: snapshot,
  };
}

function checkOptions(options: SimulatorOptions): void {
  const fail = (message: string) => {
    throw new SimulatorError(message);
  };
  let url: URL | undefined;
  try {
    url = new URL(options.url);
  } catch {
    fail(`--url must be an http(s) URL such as http://127.0.0.1:4000/graphql, not "${options.url}"`);
  }
  if (url && url.protocol !== 'http:' && url.protocol !== 'https:') fail(`--url must be http or https, not ${url.protocol}`);
  if (!options.token?.trim()) fail('--token is required: an operator token for the Authorization header');
  const positive = (name: string, value: number | undefined) => {
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) fail(`${name} must be a number above 0, not ${value}`);
  };
  positive('--rate', options.rate);
  positive('--speed', options.speed);
  positive('--duration', options.durationSeconds);
  const d = options.duplicateFraction;
  if (d !== undefined && !(d >= 0 && d <= 1)) fail(`--duplicates must be a fraction from 0 to 1, not ${d}`);
  const c = options.concurrency;
  if (c !== undefined && !(Number.isInteger(c) && c >= 1 && c <= 64)) fail(`--concurrency must be a whole number from 1 to 64, not ${c}`);
  if (options.replay !== undefined && !isCalendarDay(options.replay)) fail(`--replay must be a day written YYYY-MM-DD, such as 2020-02-04, not "${options.replay}"`);
}

function unreachable(url: string, error: unknown): string {
  if (!(error instanceof ApiError)) return `${url}: ${(error as Error)?.message ?? String(error)}`;
  if (error.reason.startsWith('network') || error.reason === 'timeout') return `cannot reach ${url}: ${error.message}`;
  if (error.status === 401 || error.status === 403) return `${url} refused the token: ${error.message} (${error.reason})`;
  if (error.reason.startsWith('HTTP')) return `${url} is not a Fangkong GraphQL API: ${error.message}`;
  return `${url} is not a Fangkong GraphQL API (${error.reason}: ${error.message})`;
}
