import { defineConfig } from 'vitest/config';
import { oneGraphql } from '../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: oneGraphql(import.meta.url) },
  test: {
    include: ['src/**/*.test.ts'],
    // Tests start servers and databases; two cores are shared with PostgreSQL and Redis.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
