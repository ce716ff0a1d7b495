import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, postgresReachable } from './support/postgres.ts';
import { pnpm, repoRoot } from './support/processes.ts';
import { redisReachable, redisUrl } from './support/redis.ts';

// The province benchmark's smoke (`pnpm bench:province --quick`), so it cannot stop running
// unnoticed: 200 simulated checkpoints, two instances on PostgreSQL + Redis, 60 subscribers,
// 20 reports/s for two short rounds. Speed is the benchmark's to measure; this checks that every
// report was taken, stored with its event and delivered to the `events` subscriber exactly once.
describe.skipIf(!(await postgresReachable()) || !(await redisReachable()))('pnpm bench:province --quick', () => {
  const table = join(repoRoot, 'bench/results/province.quick.tmp');

  it('takes every report, loses none and writes its table', async () => {
    rmSync(table, { force: true });
    const result = await pnpm(['bench:province', '--quick'], { BENCH_POSTGRES_URL: adminUrl, BENCH_REDIS_URL: redisUrl }, 170_000);
    expect(result.code, result.stderr.slice(-4000)).toBe(0);
    const report = readFileSync(table, 'utf8');
    expect(report).toContain('| errors (reports not taken after retries) | **0** |');
    expect(report).toMatch(/\| nothing lost \| \*\*yes\*\*: (\d+) reports accepted, \1 stored, \1 outbox events; (\d+) of \2 report events reached/);
    expect(report).toMatch(/\| report → `events` subscriber, p99 ms \| \d+ \|/);
    expect(report).toMatch(/\| report → area summary counting it, p99 ms \| \d+ \|/);
    expect(report).toContain('Problems: none.');
  }, 180_000);
});
