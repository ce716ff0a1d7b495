// Processes and services for the live benchmark: Fangkong servers (with their warnings kept),
// a throwaway PostgreSQL database, the raw `ws` baseline, RSS from /proc and the Redis version.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { cleanEnv, createEmptyDatabase } from '../shared/databases.ts';
import { BENCH_RATE_LIMIT } from '../shared/tokens.ts';
import { yesterdayInShanghaiAt } from '../shared/clock.ts';

export interface LiveServer {
  name: string;
  /** http://127.0.0.1:PORT/graphql */
  graphqlUrl: string;
  pid: number;
  /** ws:// URL of the Node inspector, when started with `inspect`. */
  inspectorUrl?: string;
  /** Warning and error log lines the server wrote (at most 200 kept), and how many in all. */
  warnings: { lines: string[]; count: number };
  /** Unexpected exit, if it happened. */
  exited(): string | undefined;
  stop(): Promise<void>;
}

const READY = /GraphQL and GraphiQL: (http:\/\/\S+\/graphql)/;

/** Variables a caller's shell might set that would change what the server does. */
const INHERITED = ['FANGKONG_RATE_LIMIT', 'FANGKONG_WS_MAX_PER_TOKEN', 'FANGKONG_WS_MAX_PER_ADDRESS', 'REDIS_URL', 'FANGKONG_REDIS_PREFIX', 'FANGKONG_MIN_INTERVAL_MS', 'FANGKONG_CLOCK_START', 'LOG_LEVEL', 'NODE_OPTIONS'];

/**
 * What every server of the bench runs with. The per-token budget (default 600 operations a minute)
 * would refuse the bench's one token long before 1,000 subscriptions and thousands of reports, and
 * the WebSocket caps (100 per token, 200 per address) its 1,000 sockets from one process.
 */
export const BENCH_SERVER_ENV = { FANGKONG_RATE_LIMIT: BENCH_RATE_LIMIT, FANGKONG_WS_MAX_PER_TOKEN: '0', FANGKONG_WS_MAX_PER_ADDRESS: '0' };

/**
 * Where every server of the bench starts its demo clock (FANGKONG_CLOCK_START): noon of yesterday in
 * Asia/Shanghai, the zone's reporting day, and the reports are dated back from it (reports.ts). On the
 * real clock a run started in the first minutes after local midnight dated its reports yesterday, the
 * live summaries (today's) never moved and the fan-out phase waited in vain. Yesterday, so no server's
 * clock is ahead of the database's own NOW(); each server's clock starts here when it starts, so a
 * report dated before this instant is in the past on all of them.
 */
export const BENCH_CLOCK_START = yesterdayInShanghaiAt('12:00');

/**
 * `server/src/cli.ts serve`, as `pnpm serve` runs it, on a free port. LOG_LEVEL=info: the server
 * logs nothing per request or per message at info, only startup and warnings, which are kept.
 */
export function startLiveServer(name: string, repoRoot: string, env: Record<string, string>, options: { inspect?: boolean; timeoutMs?: number } = {}): Promise<LiveServer> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const base = cleanEnv();
  for (const variable of INHERITED) delete base[variable];
  // The inspector only listens; the bench attaches for a moment to force a GC before reading memory.
  // BENCH_CPU_PROF=<folder>: each server writes a V8 CPU profile there when it stops (open it in
  // Chrome's DevTools or speedscope), to see where a benchmark's server time goes.
  const profile = process.env.BENCH_CPU_PROF;
  const flags = [...(options.inspect ? ['--inspect=127.0.0.1:0'] : []), ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [])];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', 'server/src/cli.ts', 'serve'], {
    cwd: repoRoot,
    env: { ...base, PORT: '0', LOG_LEVEL: 'info', ...BENCH_SERVER_ENV, FANGKONG_CLOCK_START: BENCH_CLOCK_START, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderrTail = '';
  let pending = '';
  let stopping = false;
  let exitReason: string | undefined;
  let inspectorUrl: string | undefined;
  const warnings = { lines: [] as string[], count: 0 };
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      if (!stopping) exitReason = `${name} exited on its own (${code ?? signal})`;
      resolve();
    }),
  );
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-8000);
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const inspector = /^Debugger listening on (ws:\/\/\S+)/.exec(line);
      if (inspector) inspectorUrl = inspector[1];
      if (inspector || /^(For help, see|Debugger |Waiting for the debugger)/.test(line)) continue;
      if (!/"level":"(warn|error)"/.test(line) && !/^(?!\{)\S/.test(line)) continue;
      warnings.count++;
      if (warnings.lines.length < 200) warnings.lines.push(line.slice(0, 600));
    }
  });

  return new Promise<LiveServer>((resolve, reject) => {
    const fail = (reason: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${name} ${reason}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderrTail}`));
    };
    const timer = setTimeout(() => fail(`printed no URL within ${timeoutMs / 1000} s`), timeoutMs);
    const early = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited (${code ?? signal}) before it was ready`);
    child.once('exit', early);
    child.stdout!.setEncoding('utf8');
    const onStdout = (chunk: string) => {
      stdout = (stdout + chunk).slice(-8000);
      const match = READY.exec(stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.removeListener('exit', early);
      child.stdout!.removeListener('data', onStdout);
      child.stdout!.resume();
      resolve({
        name,
        graphqlUrl: match[1],
        pid: child.pid!,
        get inspectorUrl() {
          return inspectorUrl;
        },
        warnings,
        exited: () => exitReason,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          stopping = true;
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
          await exited;
          clearTimeout(kill);
        },
      });
    };
    child.stdout!.on('data', onStdout);
  });
}

export interface RawBroadcaster {
  /** ws://127.0.0.1:PORT (subscribers connect to /graphql, the control socket to /control). */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** The baseline broadcaster (live-raw-broadcast.ts) in its own process, with this process's Node flags. */
export function startRawBroadcaster(scriptPath: string, timeoutMs = 30_000): Promise<RawBroadcaster> {
  const child = spawn(process.execPath, [...process.execArgv, scriptPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`raw broadcaster printed no URL within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const early = () => {
      clearTimeout(timer);
      reject(new Error(`raw broadcaster exited before it was ready:\n${output}`));
    };
    child.once('exit', early);
    child.stderr!.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.stdout!.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      const match = /raw broadcast: (ws:\/\/\S+)/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      child.removeListener('exit', early);
      resolve({
        url: match[1],
        pid: child.pid!,
        async stop() {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(kill);
        },
      });
    });
  });
}

/** Resident set size of a process, in KiB (VmRSS from /proc/<pid>/status). */
export function rssKiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

export interface LiveDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** An empty database of its own; the first server to start migrates it and loads reference data. */
export function createLiveDatabase(adminUrl: string): Promise<LiveDatabase> {
  return createEmptyDatabase(adminUrl, 'fangkong_bench_live');
}

/** `redis_version` from INFO, over a plain socket (the bench has no Redis client). */
export function redisVersion(redisUrl: string, timeoutMs = 3000): Promise<string> {
  const url = new URL(redisUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port || 6379), url.hostname);
    let reply = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`Redis at ${url.host} did not answer INFO within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      const match = /redis_version:([^\r\n]+)/.exec(reply);
      if (!match) return;
      clearTimeout(timer);
      socket.end();
      resolve(match[1]!);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Redis at ${url.host}: ${error.message}`));
    });
  });
}
