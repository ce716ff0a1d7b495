import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { BENCH_RATE_LIMIT } from '../shared/tokens.ts';

export interface ServerProcess {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:41234/graphql. */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

const NODE_ARGS = ['--experimental-wasm-modules', '--no-warnings', '--import', 'tsx', 'server/src/cli.ts'];


/**
 * The server's environment: this bench's database, a free port, no logging; Redis (with this run's
 * prefix) when given, else in-process pub/sub. WebSockets are not capped per token: the subscribers
 * share one.
 */
export function serverEnv(databaseUrl: string, redis?: { url: string; prefix: string }): NodeJS.ProcessEnv {
  const { REDIS_URL: _redis, FANGKONG_TRACE_SQL: _trace, FANGKONG_REDIS_PREFIX: _prefix, ...inherited } = process.env;
  return {
    ...inherited,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    FANGKONG_RATE_LIMIT: BENCH_RATE_LIMIT,
    FANGKONG_WS_MAX_PER_TOKEN: '0',
    ...(redis ? { REDIS_URL: redis.url, FANGKONG_REDIS_PREFIX: redis.prefix } : {}),
  };
}

/**
 * Starts `server/src/cli.ts serve` as its own process on `databaseUrl`, the way an operator runs it,
 * and resolves once it prints its address (after migrations and reference data). `env` adds to or
 * overrides serverEnv's.
 */
export function startServer(options: { repoRoot: string; databaseUrl: string; redis?: { url: string; prefix: string }; env?: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<ServerProcess> {
  const env = { ...serverEnv(options.databaseUrl, options.redis), ...options.env };
  const child = spawn(process.execPath, [...NODE_ARGS, 'serve'], { cwd: options.repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // Never leave a server behind, even when the bench dies.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`server did not start within ${options.timeoutMs ?? 90_000} ms`)), options.timeoutMs ?? 90_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      process.off('exit', killOnExit);
      reject(new Error(`${error.message}\n${output.slice(-2000)}`));
    };
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /GraphQL and GraphiQL: (\S+)/.exec(output);
      if (!match?.[1] || child.pid === undefined) return;
      clearTimeout(timer);
      child.off('exit', onEarlyExit);
      resolve({ url: match[1], pid: child.pid, stop: () => stopChild(child).finally(() => process.off('exit', killOnExit)) });
    };
    const onEarlyExit = (code: number | null, signal: string | null) => fail(new Error(`server exited before listening (code ${code}, signal ${signal})`));
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', onEarlyExit);
    child.once('error', fail);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface GraphQLAnswer {
  status: number;
  body: string;
  /** Seconds, from a Retry-After header. */
  retryAfter?: number;
}

/** A POST client with a bearer token on keep-alive connections, one per in-flight request, as a busy gateway would hold them. */
export function graphqlPoster(url: string, connections: number, token: string): { post(body: string): Promise<GraphQLAnswer>; close(): void } {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL(url);
  const post = (body: string) =>
    new Promise<GraphQLAnswer>((resolve, reject) => {
      const req = request(
        {
          agent,
          hostname: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            authorization: `Bearer ${token}`,
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          const retryAfter = Number(res.headers['retry-after']);
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfter } : {}) }),
          );
          res.on('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}
