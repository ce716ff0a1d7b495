import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, postgresReachable } from './support/postgres.ts';
import { pnpm, repoRoot } from './support/processes.ts';

// The gate-scan benchmark's smoke (`pnpm bench:gate --quick`), so it cannot stop running unnoticed:
// one short round per side (recordGateScans ÷ raw pg with the same idempotency), every batch sent twice.
describe.skipIf(!(await postgresReachable()))('pnpm bench:gate --quick', () => {
  const table = join(repoRoot, 'bench/results/gate.quick.tmp');

  it('measures both sides without errors, each retried batch answered as duplicates', async () => {
    rmSync(table, { force: true });
    const result = await pnpm(['bench:gate', '--quick'], { BENCH_POSTGRES_URL: adminUrl }, 110_000);
    expect(result.code, result.stderr.slice(-4000)).toBe(0);
    const report = readFileSync(table, 'utf8');
    const median = /\| \*\*median\*\* \| (\d+) \| (\d+) \| \*\*(\d+\.\d{3})\*\* \| (\d+) \| 0 \|/.exec(report);
    expect(median, report).not.toBeNull();
    expect(Number(median![1])).toBeGreaterThan(0);
    expect(Number(median![2])).toBeGreaterThan(0);
    // Every batch of the round was sent again and answered as duplicates: half of what our side sent.
    expect(Number(median![4])).toBeGreaterThan(0);
  }, 120_000);
});
