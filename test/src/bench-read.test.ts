import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, postgresReachable } from './support/postgres.ts';
import { pnpm, repoRoot } from './support/processes.ts';

// The read benchmark's smoke, so that the benchmark cannot stop running unnoticed (it answered 401
// once access control landed, and nothing ran it): the whole of `pnpm bench:read`, with --quick's short load.
describe('pnpm bench:read --quick', () => {
  const table = join(repoRoot, 'bench/results/read-api.quick.tmp');

  it('seeds, creates a token, checks the targets (and PostGraphile) give the same JSON under load and writes its table', async () => {
    rmSync(table, { force: true });
    // PostgreSQL as the other tests use it: required in CI, left out where the machine has none.
    const databases = (await postgresReachable()) ? ['PostgreSQL', 'PGlite'] : ['PGlite'];
    const only = databases.length === 1 ? ['--only', 'pglite'] : [];
    const result = await pnpm(['bench:read', '--quick', ...only], { BENCH_POSTGRES_URL: adminUrl }, 170_000);
    expect(result.code, result.stderr.slice(-4000)).toBe(0);

    const report = readFileSync(table, 'utf8');
    expect(report).not.toContain('Not measured');
    for (const database of databases) {
      for (const operation of ['zoneSummary(day: "2020-02-07")', 'checkpoints(first: 50) with today']) {
        const row = report.split('\n').find((line) => line.startsWith(`| ${database} | seed only | ${operation} |`));
        expect(row, `${database}, ${operation}:\n${report}`).toBeDefined();
        // No error on either side, and a ratio of requests per second (ours ÷ baseline); then PostGraphile's
        // columns: on PostgreSQL the checkpoint page is also served by it (checked against ours, loaded at
        // 10 and 50 connections, no error, both ratios), elsewhere they are empty.
        const peer = database === 'PostgreSQL' && operation.startsWith('checkpoints');
        expect(row).toMatch(
          peer ? /\| 0 \/ 0 \| \*\*\d+\.\d\d\*\* \| \d+ \/ \d+ \| 0 \| \*\*\d+\.\d\d\*\* \| \*\*\d+\.\d\d\*\* \|$/ : /\| 0 \/ 0 \| \*\*\d+\.\d\d\*\* \| – \| – \| – \| – \|$/,
        );
      }
      // The depth-3 page's statements, counted at each page size: the same number at every size.
      const statements = report.split('\n').find((line) => line.startsWith(`| ${database} | seed only | `) && /\| \d+ \/ [\d,]+ \|$/.test(line));
      expect(statements, `${database}: statements per depth-3 page:\n${report}`).toBeDefined();
      const counts = [...statements!.matchAll(/\| (\d+) \/ [\d,]+ /g)].map((m) => Number(m[1]));
      expect(counts).toHaveLength(4);
      expect(new Set(counts).size).toBe(1);
    }
  }, 180_000);
});
