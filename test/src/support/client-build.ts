import { join } from 'node:path';
import { oncePerRun } from './once-per-run.ts';
import { pnpm, repoRoot } from './processes.ts';

/** Where `pnpm build` writes the client; the server serves it from FANGKONG_CLIENT_DIST. */
export const clientDist = join(repoRoot, 'client', 'dist');

/**
 * The client's production build (`pnpm build`, as a deployment makes it), made once per test run by
 * whichever browser file asks first, so files running side by side never read a folder another is
 * rewriting. The lock sits beside the folder: the build empties the folder itself.
 */
export async function builtClient(): Promise<string> {
  await oncePerRun('the client build', join(clientDist, '.test-run'), join(repoRoot, 'client', '.dist-building'), async () => {
    const build = await pnpm(['--filter', '@fangkong/client', 'build'], {}, 240_000);
    if (build.code !== 0) throw new Error(`client build failed:\n${build.stderr}${build.stdout}`);
  });
  return clientDist;
}
