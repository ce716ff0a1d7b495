// What every Vitest config in the workspace shares.
import { createRequire } from 'node:module';

/**
 * One graphql instance in a test run: Vite would otherwise load graphql's ESM build for workspace
 * sources while Node-loaded packages (Pothos, graphql-ws) use the CommonJS one ("another realm").
 */
export function oneGraphql(configUrl: string) {
  return [{ find: /^graphql$/, replacement: createRequire(configUrl).resolve('graphql') }];
}
