import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, postgresReachable } from './support/postgres.ts';
import { pnpm, repoRoot } from './support/processes.ts';

// The soak benchmark's smoke (`pnpm bench:soak --quick`), so it cannot stop running unnoticed: one
// round of three steps (and a warm-up) with 20 `events` subscribers per transport and the control of one each.
describe.skipIf(!(await postgresReachable()))('pnpm bench:soak --quick', () => {
  const table = join(repoRoot, 'bench/results/live-soak.quick.tmp');

  it('delivers every step to every subscriber and writes a figure per transport', async () => {
    rmSync(table, { force: true });
    const result = await pnpm(['bench:soak', '--quick'], { BENCH_POSTGRES_URL: adminUrl }, 170_000);
    expect(result.code, result.stderr.slice(-4000)).toBe(0);
    const report = readFileSync(table, 'utf8');
    expect(report).toMatch(/\| WS \| \*\*-?\d+\.\d\d\*\* \|/);
    expect(report).toMatch(/\| SSE \| \*\*-?\d+\.\d\d\*\* \|/);
    // Every step reached every subscriber: 4 steps (warm-up included) of 20 reports, to 20 and to one.
    expect(report.match(/\| 1 \| (WS|SSE) × 20 \| .* \| 1600 \|/g)).toHaveLength(2);
    expect(report.match(/\| 1 \| (WS|SSE) × 1 \| .* \| 80 \|/g)).toHaveLength(2);
    expect(report).toContain('Problems: none.');
  }, 180_000);
});
