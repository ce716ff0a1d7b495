import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { pnpm, repoRoot } from './processes.ts';

/** Where `pnpm build` writes the client; the server serves it from FANGKONG_CLIENT_DIST. */
export const clientDist = join(repoRoot, 'client', 'dist');
const builtFor = join(clientDist, '.test-run');
const lock = join(repoRoot, 'client', '.dist-building');

/**
 * The client's production build, made once per test run (`pnpm build`, as a deployment does), whichever
 * test files ask for it and however many run side by side: the first one builds under a lock folder,
 * the others wait for it, so none reads a folder another is rewriting. Returns the folder.
 */
export async function builtClient(timeoutMs = 240_000): Promise<string> {
  const run = inject('testRun');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(builtFor) && readFileSync(builtFor, 'utf8') === run) return clientDist;
    if (takeLock()) {
      try {
        const build = await pnpm(['--filter', '@fangkong/client', 'build'], {}, timeoutMs);
        if (build.code !== 0) throw new Error(`client build failed:\n${build.stderr}${build.stdout}`);
        writeFileSync(builtFor, run);
        return clientDist;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
    if (Date.now() > deadline) throw new Error(`the client was not built within ${timeoutMs} ms (lock ${lock})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The lock is a folder naming its holder; one left by a process that died is taken over. */
function takeLock(): boolean {
  try {
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), String(process.pid));
    return true;
  } catch {
    let holder = 0;
    try {
      holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    } catch {
      // Just taken and not yet named, or just given back.
    }
    if (holder && !alive(holder)) rmSync(lock, { recursive: true, force: true });
    return false;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
