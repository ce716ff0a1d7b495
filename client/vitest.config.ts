import { defineConfig } from 'vitest/config';
import { oneGraphql } from '../vitest.shared.ts';

export default defineConfig({
  resolve: { alias: oneGraphql(import.meta.url) },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});
