import { defineConfig } from 'vitest/config';
import { oneGraphql } from '../vitest.shared.ts';

// The response-size estimate's tests load the schema (its list-size extension), as the server does.
export default defineConfig({
  resolve: { alias: oneGraphql(import.meta.url) },
  test: { include: ['src/**/*.test.ts'] },
});
