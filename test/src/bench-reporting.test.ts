import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, postgresReachable } from './support/postgres.ts';
import { pnpm, repoRoot } from './support/processes.ts';
import { redisReachable, redisUrl } from './support/redis.ts';

// The reporting benchmark's smoke, so that it cannot stop running unnoticed: the whole of
// `pnpm --filter @fangkong/bench bench:reporting` (two instances on PostgreSQL + Redis, subscribers
// attached, every variant, every answer and stored row checked) with --quick's two short rounds,
// fewer writers and subscribers than the measured run so that a busy machine does not time it out.
const live = (await postgresReachable()) && (await redisReachable());

describe.skipIf(!live)('pnpm bench:reporting --quick', () => {
  const table = join(repoRoot, 'bench/results/reporting-10-subscribers.quick.tmp');

  it('runs one and two instances and the raw baselines, checks every answer and writes its table', async () => {
    rmSync(table, { force: true });
    const result = await pnpm(
      ['--filter', '@fangkong/bench', 'bench:reporting', '--quick', '--concurrency', '4', '--subscribers', '10'],
      { BENCH_POSTGRES_URL: adminUrl, BENCH_REDIS_URL: redisUrl },
      230_000,
    );
    expect(result.code, result.stderr.slice(-4000)).toBe(0);

    const report = readFileSync(table, 'utf8');
    expect(report).toContain('**Run: valid**');
    // The goals, each with a figure, and a row per variant.
    expect(report).toMatch(/\| ingest ÷ raw `pg` doing report \+ audit \+ event without a global lock, 10 subscribers attached \| ≥ 0\.6 \| \*\*\d+\.\d\d\*\*/);
    expect(report).toMatch(/\| 2 instances × 4 writers ÷ 1 instance × 4, PostgreSQL \+ Redis \| ≥ 1\.3 \| \*\*\d+\.\d\d\*\*/);
    expect(report).toMatch(/\| server CPU per report, 2 instances \(both processes\) \| ≤ 1\.5 ms \| \*\*\d+\.\d\d ms\*\*/);
    for (const variant of ['ours, 1 instance', 'ours, 2 instances', 'raw `pg`, report + audit + event in one transaction, no lock']) {
      expect(report).toContain(`| ${variant}`);
    }
    expect(report).toMatch(/Load average\*\* \(1 min\) \d+\.\d at the start/);
  }, 240_000);
});
