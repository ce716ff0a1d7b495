import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, postgresReachable } from './support/postgres.ts';
import { pnpm, repoRoot } from './support/processes.ts';

// The completeness benchmark's smoke, so that it cannot stop running unnoticed: the whole of
// `bench:completeness` at --quick's size (500 checkpoints, 3 days of hourly reports, 2 rounds).
describe.skipIf(!(await postgresReachable()))('bench:completeness --quick', () => {
  const table = join(repoRoot, 'bench/results/completeness.quick.tmp');

  it('loads the sites and reports, answers reportingCompleteness through the server with the same statements at every size and writes its table', async () => {
    rmSync(table, { force: true });
    const result = await pnpm(['--filter', '@fangkong/bench', 'bench:completeness', '--quick'], { FANGKONG_TEST_POSTGRES_URL: adminUrl }, 170_000);
    expect(result.code, result.stderr.slice(-4000)).toBe(0);
    const report = readFileSync(table, 'utf8');
    expect(report).toMatch(/\| reportingCompleteness through the server [^|]*\| \d+ \|/);
    expect(report).toMatch(/\| ratio ours ÷ baseline \| \d+\.\d \|/);
    const statements = [...report.matchAll(/^\| (?:one township|every bench township|the whole zone[^|]*) \| [\d,]+ \| (\d+) \|$/gm)].map((m) => m[1]);
    expect(statements).toHaveLength(3);
    expect(new Set(statements).size).toBe(1);
  }, 180_000);
});
