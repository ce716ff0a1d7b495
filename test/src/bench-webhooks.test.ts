import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, postgresReachable } from './support/postgres.ts';
import { pnpm, repoRoot } from './support/processes.ts';

// The webhooks benchmark's smoke (`bench:webhooks --quick`), so it cannot stop running unnoticed:
// one short pair of ingest rounds, slow partner endpoints active ÷ paused.
describe.skipIf(!(await postgresReachable()))('pnpm bench:webhooks --quick', () => {
  const table = join(repoRoot, 'bench/results/webhooks.quick.tmp');

  it('measures both sides without errors and the slow receiver gets deliveries', async () => {
    rmSync(table, { force: true });
    const result = await pnpm(['--filter', '@fangkong/bench', 'bench:webhooks', '--quick'], { BENCH_POSTGRES_URL: adminUrl }, 170_000);
    expect(result.code, result.stderr.slice(-4000)).toBe(0);
    const report = readFileSync(table, 'utf8');
    expect(report).toMatch(/\| \*\*median\*\* \| [\d.]+ \| [\d.]+ \| \*\*\d+\.\d\d\*\* \| \d+ \| 0 \|/);
    expect(report).toMatch(/POSTs received: [1-9]\d*\./);
  }, 180_000);
});
