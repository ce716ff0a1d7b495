import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The bench package's folder (bench/). */
export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The repository root: servers are started from here, as `pnpm serve` runs them. */
export const repoRoot = resolve(benchDir, '..');
/** Where each benchmark writes its table. */
export const resultsDir = resolve(benchDir, 'results');

/**
 * Writes a benchmark's table to bench/results/<name>.md; a --quick smoke run writes
 * <name>.quick.tmp instead (ignored by git), so a smoke never replaces measured figures.
 */
export function writeResults(name: string, markdown: string, { quick }: { quick: boolean }): string {
  const file = resolve(resultsDir, quick ? `${name}.quick.tmp` : `${name}.md`);
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(file, markdown);
  return file;
}
