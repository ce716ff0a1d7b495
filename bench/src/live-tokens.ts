// Every operation needs a bearer token. The bench asks for one the way an operator of the platform
// does, `pnpm fangkong token create` (run as the CLI it is, without pnpm in between), against its
// own throwaway database: an ADMIN token may report for any checkpoint and read the event stream.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cleanEnv } from './databases.ts';

const run = promisify(execFile);

/** Creates an admin token in the database (migrating it first if needed); returns the token. */
export async function createBenchToken(repoRoot: string, databaseUrl: string, label = 'bench live'): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--experimental-wasm-modules', '--no-warnings', '--import', 'tsx', 'server/src/cli.ts', 'token', 'create', '--role', 'admin', '--label', label],
    { cwd: repoRoot, env: { ...cleanEnv(), DATABASE_URL: databaseUrl } },
  );
  const token = stdout.trim();
  if (!/^\S{16,}$/.test(token)) throw new Error(`token create printed no token: ${stdout.slice(0, 200)}`);
  return token;
}
