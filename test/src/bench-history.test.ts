import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, postgresReachable } from './support/postgres.ts';
import { pnpm, repoRoot } from './support/processes.ts';

// The history benchmark's smoke, so it cannot stop running unnoticed: the whole of
// `pnpm bench:history`, with --quick's small histories and short load. It needs PostgreSQL (two
// throwaway databases); where the machine has none it is left out, as the other PostgreSQL tests are.
describe.skipIf(!(await postgresReachable()))('pnpm bench:history --quick', () => {
  const table = join(repoRoot, 'bench/results/history.quick.tmp');

  it('builds two histories, loads every read on both without an error and writes its table', async () => {
    rmSync(table, { force: true });
    const result = await pnpm(['bench:history', '--quick'], { BENCH_POSTGRES_URL: adminUrl }, 170_000);
    expect(result.code, result.stderr.slice(-4000)).toBe(0);
    const report = readFileSync(table, 'utf8');
    for (const read of ['checkpoints(first: 8) { reports(first: 3) }', 'checkpoints(first: 8) { lastReportAt isStale today }', 'checkpoint reports { totalCount }', 'zoneSummary(day)']) {
      const row = report.split('\n').find((line) => line.startsWith(`| ${read} |`));
      // No error on either side, and a ratio (large ÷ small requests per second).
      expect(row, `${read}:\n${report}`).toMatch(/\| 0 \| \*\*\d+\.\d\d\*\* \|/);
    }
    // Statements per request at page sizes 1 to 500: the same on both histories and for every size.
    const counts = report.split('\n').filter((line) => /^\| \d+ \| \d+ \| \d+ \|$/.test(line));
    expect(counts).toHaveLength(4);
    expect(new Set(counts.map((line) => line.split('|').slice(2, 4).join('|')))).toHaveLength(1);
  }, 180_000);
});
