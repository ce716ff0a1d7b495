import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { oncePerRun } from './once-per-run.ts';
import { pnpm, repoRoot, run } from './processes.ts';

export interface RunningServer {
  url: string;
  graphqlUrl: string;
  /** An admin token made for this server; `graphql()` and `wsClient()` use it unless told otherwise. */
  adminToken: string;
  /** Everything the process wrote so far (stdout and stderr). */
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for exit. */
  kill(): Promise<void>;
  process: ChildProcess;
}

/**
 * Starts the real server (`server/src/cli.ts serve`, what `pnpm serve` runs) as a child process on
 * a free port and waits until it prints its URL.
 */
export async function startServer(env: NodeJS.ProcessEnv, command: 'serve' | 'start' = 'serve', timeoutMs = 90_000): Promise<RunningServer> {
  if (command === 'serve') await migratedFromTemplate(env);
  const server = await spawnServer(env, command, timeoutMs);
  const token = await createToken(env, 'admin', [], 'test admin');
  defaultTokens.set(server.url, token);
  return { ...server, adminToken: token };
}

/**
 * An empty embedded-database folder gets a copy of one migrated in this run (`pnpm db:migrate`, once
 * per run): creating and migrating a PGlite database takes seconds, copying it a fraction of one.
 * The server then starts as on any migrated database (it finds nothing to apply, loads the reference
 * data, makes its keys). Tests of first migrations run the CLI on folders of their own.
 */
async function migratedFromTemplate(env: NodeJS.ProcessEnv): Promise<void> {
  const dir = env.FANGKONG_DATA_DIR;
  if (!dir || (env.DATABASE_URL ?? process.env.DATABASE_URL) || !existsSync(dir) || readdirSync(dir).length > 0) return;
  const template = join(tmpdir(), `fangkong-migrated-${inject('testRun')}`);
  await oncePerRun('the migrated template database', join(template, '.test-run'), `${template}.lock`, async () => {
    const migrated = await pnpm(['db:migrate'], { FANGKONG_DATA_DIR: template, DATABASE_URL: '' }, 240_000);
    if (migrated.code !== 0) throw new Error(`db:migrate of the template failed:\n${migrated.stderr}${migrated.stdout}`);
  });
  cpSync(join(template, 'pglite'), join(dir, 'pglite'), { recursive: true });
}

/** Tokens tests use by default, per server base URL. */
export const defaultTokens = new Map<string, string>();

export function tokenFor(url: string): string | undefined {
  for (const [base, token] of defaultTokens) if (url.startsWith(base)) return token;
  return undefined;
}

/** `pnpm fangkong token create`, as an operator of the platform would run it; returns the token. */
export async function createToken(env: NodeJS.ProcessEnv, role: string, scope: string[] = [], label?: string): Promise<string> {
  const args = ['fangkong', 'token', 'create', '--role', role];
  if (scope.length) args.push('--scope', scope.join(','));
  if (label) args.push('--label', label);
  const result = await run('pnpm', args, env);
  if (result.code !== 0) throw new Error(`token create failed: ${result.stderr}`);
  const token = result.stdout.trim();
  if (!/^fk_[\w-]{43}$/.test(token)) throw new Error(`token create printed more than a token: ${JSON.stringify(result.stdout)}`);
  return token;
}

function spawnServer(env: NodeJS.ProcessEnv, command: 'serve' | 'start', timeoutMs: number): Promise<Omit<RunningServer, 'adminToken'>> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/cli.ts', command], {
    cwd: repoRoot,
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /GraphQL and GraphiQL: (http:\/\/[^\s]+)\/graphql/.exec(output);
      if (match) {
        clearTimeout(timer);
        const url = match[1]!;
        resolve({
          url,
          graphqlUrl: `${url}/graphql`,
          output: () => output,
          process: child,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
          kill: async () => {
            child.kill('SIGKILL');
            await exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before starting:\n${output}`));
    });
  });
}

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
  extensions?: Record<string, any>;
}

/** POSTs one GraphQL operation over HTTP, as any client would. */
export async function graphql<T = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
  const token = tokenFor(url);
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...body };
}
