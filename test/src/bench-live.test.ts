import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adminUrl, postgresReachable } from './support/postgres.ts';
import { pnpm, repoRoot } from './support/processes.ts';

// The live benchmark's smoke (issue 21), so that it cannot stop running unnoticed: the whole of
// `pnpm bench:live` with --quick's reduced counts (one run; 100 and 300 fan-out subscribers), on
// PostgreSQL as the benchmark always runs. It checks that every phase measured something and that
// the coalesced fan-out compared ours with the raw baseline; the figures themselves are not judged.
describe.skipIf(!(await postgresReachable()))('pnpm bench:live --quick', () => {
  const table = join(repoRoot, 'bench/results/live.quick.tmp');

  it('measures latency, throughput, the coalesced fan-out against the raw broadcaster, idle memory and the hop, without a failure', async () => {
    rmSync(table, { force: true });
    const result = await pnpm(['bench:live', '--quick'], { BENCH_POSTGRES_URL: adminUrl }, 560_000);
    expect(result.code, result.stderr.slice(-4000)).toBe(0);

    const report = readFileSync(table, 'utf8');
    expect(report).not.toContain('## Failures');
    expect(report).toContain('Smoke run');
    for (const subscribers of ['100', '300']) {
      const row = report.split('\n').find((line) => line.startsWith(`| ${subscribers} | 20 |`));
      expect(row, `fan-out ×${subscribers}:\n${report}`).toBeDefined();
      // p99 of both sides and their ratio, delivered messages/s of both, no report refused.
      expect(row).toMatch(/\| \*\*\d+(\.\d)? \/ \d+(\.\d)?\*\* \| \*\*\d+\.\d\d\*\* \| \*\*[\d,]+ \/ [\d,]+ \(\d+\.\d\d\)\*\* \|/);
      // Report errors: 0 (then the answer times and the per-run p99s).
      expect(row).toMatch(/\| 0 \| [^|]+ \| [^|]+ \|$/);
    }
  }, 600_000);
});
