import { defineConfig } from 'vitest/config';
import { oneGraphql } from '../vitest.shared.ts';

/**
 * Files that measure time or load the machine on purpose (benchmark smokes, the fuzz run's latency
 * bound, the timing oracle, outages and SIGKILLs) run alone, after the others.
 */
const alone = [
  'src/bench-*.test.ts',
  'src/fuzz.test.ts',
  'src/node-oracle.test.ts',
  'src/database-outage.test.ts',
  'src/outbox-order.test.ts',
  'src/alerts-instances.test.ts',
  'src/migrations.test.ts',
  'src/quick-start.test.ts',
];

const shared = {
  // Generous: the suite runs two files at a time on two cores, and a loaded machine must slow it down, not fail it.
  testTimeout: 120_000,
  hookTimeout: 240_000,
  globalSetup: ['src/support/run.ts'],
};

export default defineConfig({
  resolve: { alias: oneGraphql(import.meta.url) },
  test: {
    reporters: ['default'],
    projects: [
      {
        extends: true,
        // Every file starts its own servers and databases; two at a time keeps both cores busy
        // while one of them waits on a timer, a browser or PostgreSQL.
        test: { name: 'together', include: ['src/**/*.test.ts'], exclude: alone, maxWorkers: 2, sequence: { groupOrder: 0 }, ...shared },
      },
      {
        extends: true,
        test: { name: 'alone', include: alone, fileParallelism: false, sequence: { groupOrder: 1 }, ...shared },
      },
    ],
  },
});
