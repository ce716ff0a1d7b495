import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

/**
 * Makes something once per test run (`vitest run`), however many test files ask for it and however
 * many run side by side: the first caller makes it under a lock folder and then writes `marker`
 * naming the run; the others wait for that. A lock left by a process that died is taken over.
 */
export async function oncePerRun(what: string, marker: string, lock: string, make: () => Promise<void>, timeoutMs = 240_000): Promise<void> {
  const run = inject('testRun');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (existsSync(marker) && readFileSync(marker, 'utf8') === run) return;
    if (takeLock(lock)) {
      try {
        await make();
        writeFileSync(marker, run);
        return;
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
    }
    if (Date.now() > deadline) throw new Error(`${what} was not made within ${timeoutMs} ms (lock ${lock})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function takeLock(lock: string): boolean {
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
