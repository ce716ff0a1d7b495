import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One id per `vitest run`, shared by every test file of it (see once-per-run.ts). */
    testRun: string;
  }
}

/** Vitest's global setup: names this run, and removes what was made once for it at the end. */
export default function setup(project: TestProject): () => void {
  // Both projects' setups run in Vitest's own process: its pid and start name the same run.
  const run = `${process.pid}-${Math.round(performance.timeOrigin)}`;
  project.provide('testRun', run);
  return () => {
    for (const name of readdirSync(tmpdir())) if (name.includes(run)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  };
}
