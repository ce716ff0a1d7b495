// Every operation needs a bearer token. A bench asks for one the way an operator of the platform
// does, `pnpm fangkong token create` (run as the CLI it is, without pnpm in between), against its
// own throwaway database; on the embedded database a running server answers it over its admin socket.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * The per-token budget every bench server runs with. The default (600 operations a minute per token)
 * would refuse a load generator within seconds; the check itself still runs on every request.
 */
export const BENCH_RATE_LIMIT = '1000000000';

export interface TokenRequest {
  repoRoot: string;
  /** The environment naming the database (DATABASE_URL or FANGKONG_DATA_DIR). */
  env: NodeJS.ProcessEnv;
  role: 'admin' | 'analyst' | 'operator';
  scope?: readonly string[];
  label: string;
}

/** Creates a token in the bench's database (migrating it first if needed); returns the token. */
export async function createToken({ repoRoot, env, role, scope = [], label }: TokenRequest): Promise<string> {
  const args = ['--experimental-wasm-modules', '--no-warnings', '--import', 'tsx', 'server/src/cli.ts', 'token', 'create', '--role', role, '--label', label];
  if (scope.length) args.push('--scope', scope.join(','));
  const { stdout } = await run(process.execPath, args, { cwd: repoRoot, env, timeout: 60_000 });
  const token = stdout.trim();
  if (!/^fk_\S{16,}$/.test(token)) throw new Error(`token create printed no token: ${stdout.slice(0, 200)}`);
  return token;
}
