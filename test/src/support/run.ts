import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** One id per `vitest run`, shared by every test file of it (see client-build.ts). */
    testRun: string;
  }
}

/** Vitest's global setup: names this run. */
export default function setup(project: TestProject): void {
  // Both projects' setups run in Vitest's own process: its pid and start name the same run.
  project.provide('testRun', `${process.pid}-${Math.round(performance.timeOrigin)}`);
}
