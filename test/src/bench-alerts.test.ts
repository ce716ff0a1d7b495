import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, postgresReachable } from './support/postgres.ts';
import { pnpm, repoRoot } from './support/processes.ts';

// The alerts benchmark's smoke (`pnpm bench:alerts --quick`), so it cannot stop running unnoticed:
// one short pair of ingest rounds (all rules ÷ none) and a few report → subscriber latencies.
describe.skipIf(!(await postgresReachable()))('pnpm bench:alerts --quick', () => {
  const table = join(repoRoot, 'bench/results/alerts.quick.tmp');

  it('measures both sides without errors and every fever report reaches the subscriber', async () => {
    rmSync(table, { force: true });
    const result = await pnpm(['bench:alerts', '--quick'], { BENCH_POSTGRES_URL: adminUrl }, 170_000);
    expect(result.code, result.stderr.slice(-4000)).toBe(0);
    const report = readFileSync(table, 'utf8');
    expect(report).toMatch(/\| \*\*median\*\* \| [\d.]+ \| [\d.]+ \| \*\*\d+\.\d\d\*\* \| \d+ \| 0 \|/);
    expect(report).toMatch(/from sending p50 \d+ ms, p99 \d+ ms/);
  }, 180_000);
});
